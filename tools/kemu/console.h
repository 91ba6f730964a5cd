#pragma once
// The kemu console (GET /_kemu/console): a page of kemu's own (web/console/, embedded with
// uPlot by cmake/web_assets.cmake) and the small JSON endpoints it polls, beside those of
// endpoints.h (status, alarms, metrics, sqs peek, replay). docs/console.md documents them:
//   GET  /_kemu/console[/{console.js,console.css,uPlot.js,uPlot.css}]  the page
//   GET  /_kemu/streams/{stream}/shards            shards: hash ranges, lineage, sequences
//   GET  /_kemu/streams/{stream}/records?shard=&type=&at=&limit=   a read from one position
//   GET  /_kemu/logs?group=&after=&limit=           a function's log events, after a cursor
//   POST /_kemu/console/send?type={event_type}      the body through the front door, as a POST
//                                                   to /{stage}/events/{event_type}
// POSTs pass the access guard's origin check like every /_kemu/ request: a page of another
// origin is refused before it reaches this handler, so it changes nothing.

#include <memory>
#include <string>

#include "cloudwatch/log_store.h"
#include "core/config.h"
#include "core/http.h"
#include "kinesis/store.h"

namespace kemu::cli {

struct ConsoleDeps {
    const Config* cfg = nullptr;
    kinesis::Store* store = nullptr;
    std::string account, region;
    std::shared_ptr<cloudwatch::LogStore> logs;
    std::shared_ptr<RequestHandler> front_door;  // answers the send form's POSTs
    std::string api_key;                         // sent as x-api-key when the stage needs one
};

// True for the paths handle_console() answers.
bool is_console_path(std::string_view path);
void handle_console(const ConsoleDeps& deps, const HttpRequest& req, Respond respond);

}  // namespace kemu::cli

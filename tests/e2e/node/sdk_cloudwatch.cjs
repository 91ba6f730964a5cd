// JS SDK v3 CloudWatch (3.1178: AWS JSON 1.0 in query-compatible mode, its default) and
// CloudWatch Logs (JSON 1.1) against
// a kemu running examples/kemu.yaml with the orders errors alarm in ALARM. Prints one JSON
// summary line for the Python side to check.
"use strict";
const { clientConfig, error } = require("./sdk_common.cjs");
const CW = require("@aws-sdk/client-cloudwatch");
const L = require("@aws-sdk/client-cloudwatch-logs");

const [endpoint, alarm, stream, fn, group] = process.argv.slice(2);
const config = clientConfig(endpoint);

async function main() {
  const cw = new CW.CloudWatchClient(config);
  const logs = new L.CloudWatchLogsClient(config);
  const alarms = await cw.send(new CW.DescribeAlarmsCommand({ AlarmNames: [alarm] }));
  const end = new Date(Date.now() + 60_000);
  const start = new Date(end.getTime() - 15 * 60_000);
  const data = await cw.send(new CW.GetMetricDataCommand({
    StartTime: start, EndTime: end,
    MetricDataQueries: [
      { Id: "incoming", MetricStat: { Metric: { Namespace: "AWS/Kinesis",
        MetricName: "IncomingRecords", Dimensions: [{ Name: "StreamName", Value: stream }] },
      Period: 60, Stat: "Sum" } },
      { Id: "age", MetricStat: { Metric: { Namespace: "AWS/Lambda", MetricName: "IteratorAge",
        Dimensions: [{ Name: "FunctionName", Value: fn }] }, Period: 60, Stat: "Maximum" } },
    ],
  }));
  const unknownAlarm = await error(cw.send(new CW.SetAlarmStateCommand({
    AlarmName: "no-such-alarm", StateValue: "OK", StateReason: "x" })));
  const badPeriod = await error(cw.send(new CW.GetMetricStatisticsCommand({
    Namespace: "AWS/Lambda", MetricName: "Errors", StartTime: start, EndTime: end, Period: 61,
    Statistics: ["Sum"] })));
  const events = await logs.send(new L.FilterLogEventsCommand({
    logGroupName: group, filterPattern: '"ORD-12345"' }));
  const unknownGroup = await error(logs.send(new L.FilterLogEventsCommand({
    logGroupName: "/aws/lambda/nope" })));
  const a = alarms.MetricAlarms[0];
  console.log(JSON.stringify({
    alarm: { name: a.AlarmName, state: a.StateValue, reason: a.StateReason,
      updated: a.StateUpdatedTimestamp instanceof Date },
    series: Object.fromEntries(data.MetricDataResults.map((r) => [r.Id, {
      values: r.Values, dates: r.Timestamps.every((t) => t instanceof Date) }])),
    unknownAlarm, badPeriod, unknownGroup,
    messages: events.events.map((e) => e.message),
    nextToken: events.nextToken ?? null,
  }));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

#pragma once
// AWS errors as values. One row per error code: enumerator, AWS shape name, HTTP status,
// fault (sender/receiver), and SQS's legacy query code (empty elsewhere). Nothing else in kemu
// spells these strings; adapters render an AwsError in their protocol.

#include <iosfwd>
#include <string>
#include <string_view>
#include <utility>

#include <boost/system/result.hpp>

namespace kemu {

#define KEMU_AWS_ERRORS(X)                                                                         \
    X(kResourceNotFound, "ResourceNotFoundException", 400, kSender, "")                            \
    X(kResourceInUse, "ResourceInUseException", 400, kSender, "")                                  \
    X(kInvalidArgument, "InvalidArgumentException", 400, kSender, "")                              \
    X(kLimitExceeded, "LimitExceededException", 400, kSender, "")                                  \
    X(kValidation, "ValidationException", 400, kSender, "")                                        \
    X(kSerialization, "SerializationException", 400, kSender, "")                                  \
    X(kUnknownOperation, "UnknownOperationException", 400, kSender, "")                            \
    X(kExpiredIterator, "ExpiredIteratorException", 400, kSender, "")                              \
    X(kExpiredNextToken, "ExpiredNextTokenException", 400, kSender, "")                            \
    X(kProvisionedThroughputExceeded, "ProvisionedThroughputExceededException", 400, kSender, "")  \
    X(kMissingAuthenticationToken, "MissingAuthenticationTokenException", 400, kSender, "")        \
    X(kIncompleteSignature, "IncompleteSignatureException", 400, kSender, "")                      \
    X(kInvalidSignature, "InvalidSignatureException", 400, kSender, "")                            \
    X(kAccessDenied, "AccessDeniedException", 403, kSender, "")                                    \
    X(kInternalFailure, "InternalFailure", 500, kReceiver, "")                                     \
    /* SQS: JSON shape (the __type suffix) and the legacy query code differ. */                    \
    X(kQueueDoesNotExist, "QueueDoesNotExist", 400, kSender,                                       \
      "AWS.SimpleQueueService.NonExistentQueue")                                                   \
    X(kQueueNameExists, "QueueNameExists", 400, kSender, "QueueAlreadyExists")                     \
    X(kQueueDeletedRecently, "QueueDeletedRecently", 400, kSender,                                 \
      "AWS.SimpleQueueService.QueueDeletedRecently")                                               \
    X(kSqsInvalidParameterValue, "InvalidParameterValueException", 400, kSender,                   \
      "InvalidParameterValue")                                                                     \
    X(kSqsMissingParameter, "MissingRequiredParameterException", 400, kSender, "MissingParameter") \
    X(kInvalidAttributeName, "InvalidAttributeName", 400, kSender, "InvalidAttributeName")         \
    X(kInvalidAttributeValue, "InvalidAttributeValue", 400, kSender, "InvalidAttributeValue")      \
    X(kInvalidMessageContents, "InvalidMessageContents", 400, kSender, "InvalidMessageContents")   \
    X(kBatchRequestTooLong, "BatchRequestTooLong", 400, kSender,                                   \
      "AWS.SimpleQueueService.BatchRequestTooLong")                                                \
    X(kTooManyEntriesInBatchRequest, "TooManyEntriesInBatchRequest", 400, kSender,                 \
      "AWS.SimpleQueueService.TooManyEntriesInBatchRequest")                                       \
    X(kEmptyBatchRequest, "EmptyBatchRequest", 400, kSender,                                       \
      "AWS.SimpleQueueService.EmptyBatchRequest")                                                  \
    X(kBatchEntryIdsNotDistinct, "BatchEntryIdsNotDistinct", 400, kSender,                         \
      "AWS.SimpleQueueService.BatchEntryIdsNotDistinct")                                           \
    X(kInvalidBatchEntryId, "InvalidBatchEntryId", 400, kSender,                                   \
      "AWS.SimpleQueueService.InvalidBatchEntryId")                                                \
    X(kReceiptHandleIsInvalid, "ReceiptHandleIsInvalid", 400, kSender, "ReceiptHandleIsInvalid")   \
    X(kMessageNotInflight, "MessageNotInflight", 400, kSender,                                     \
      "AWS.SimpleQueueService.MessageNotInflight")                                                 \
    X(kPurgeQueueInProgress, "PurgeQueueInProgress", 403, kSender,                                 \
      "AWS.SimpleQueueService.PurgeQueueInProgress")                                               \
    X(kOverLimit, "OverLimit", 403, kSender, "OverLimit")                                          \
    X(kUnsupportedOperation, "UnsupportedOperation", 400, kSender,                                 \
      "AWS.SimpleQueueService.UnsupportedOperation")                                               \
    X(kSqsResourceNotFound, "ResourceNotFoundException", 404, kSender,                             \
      "ResourceNotFoundException")                                                                 \
    X(kInvalidAction, "InvalidAction", 400, kSender, "InvalidAction")

enum class AwsErrorCode {
#define KEMU_X(name, shape, status, fault, query) name,
    KEMU_AWS_ERRORS(KEMU_X)
#undef KEMU_X
};

enum class Fault { kSender, kReceiver };

std::string_view aws_error_shape(AwsErrorCode code);
int aws_error_http_status(AwsErrorCode code);
Fault aws_error_fault(AwsErrorCode code);
std::string_view aws_error_query_code(AwsErrorCode code);

struct AwsError {
    AwsErrorCode code;  // keep first: string-first breaks `Result<std::string> r = str;`
    std::string message;

    std::string_view shape() const { return aws_error_shape(code); }
    int http_status() const { return aws_error_http_status(code); }
    bool operator==(const AwsError&) const = default;
};

std::ostream& operator<<(std::ostream& os, const AwsError& e);

// boost::system::result::value() throws through this ADL hook on an error.
[[noreturn]] void throw_exception_from_error(const AwsError& e, const boost::source_location& loc);

template <class T>
class [[nodiscard]] Result : public boost::system::result<T, AwsError> {
public:
    using boost::system::result<T, AwsError>::result;
};

inline AwsError make_error(AwsErrorCode code, std::string message) {
    return AwsError{code, std::move(message)};
}

}  // namespace kemu

#pragma once
// One factory per AWS sentence of SQS (see docs/aws/sqs.md, Errors). Nothing else in the module
// spells them: the engine and both wire protocols call these.

#include <string>
#include <string_view>

#include "core/aws_error.h"

namespace kemu::sqs_dlq::errors {

// --- queues -------------------------------------------------------------------------------

inline AwsError queue_does_not_exist() {
    return {AwsErrorCode::kQueueDoesNotExist, "The specified queue does not exist."};
}
// The query protocol words QueueDoesNotExist its own way; every other error reads the same in
// both protocols.
inline std::string query_message(const AwsError& e) {
    if (e.code == AwsErrorCode::kQueueDoesNotExist)
        return "The specified queue does not exist for this wsdl version.";
    return e.message;
}
inline AwsError fifo_not_emulated(const std::string& name) {
    return {AwsErrorCode::kUnsupportedOperation, "kemu does not emulate FIFO queues; " + name +
                                                     " cannot be created. Use a standard queue."};
}
inline AwsError fifo_queue_name() {
    return {AwsErrorCode::kSqsInvalidParameterValue,
            "The name of a FIFO queue can only include alphanumeric characters, hyphens, or "
            "underscores, must end with .fifo suffix and be 1 to 80 in length."};
}
inline AwsError queue_name_invalid() {
    return {AwsErrorCode::kSqsInvalidParameterValue,
            "Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in "
            "length"};
}
inline AwsError queue_name_exists(const std::string& attribute) {
    return {AwsErrorCode::kQueueNameExists,
            "A queue already exists with the same name and a different value for attribute " +
                attribute};
}
inline AwsError queue_deleted_recently() {
    return {AwsErrorCode::kQueueDeletedRecently,
            "You must wait 60 seconds after deleting a queue before you can create another queue "
            "with the same name."};
}
inline AwsError purge_in_progress(const std::string& name) {
    return {AwsErrorCode::kPurgeQueueInProgress,
            "Only one PurgeQueue operation on " + name + " is allowed every 60 seconds."};
}

// --- queue attributes and tags --------------------------------------------------------------

inline AwsError unknown_attribute(const std::string& name) {
    return {AwsErrorCode::kInvalidAttributeName, "Unknown Attribute " + name + "."};
}
// FifoQueue=false, and any FIFO attribute but the two below, on a standard queue.
inline AwsError fifo_only_attribute(const std::string& name) {
    if (name != "DeduplicationScope" && name != "FifoThroughputLimit")
        return unknown_attribute(name);
    return {AwsErrorCode::kInvalidAttributeName,
            "You can specify the " + name + " only when FifoQueue is set to true."};
}
// KmsMasterKeyId and SqsManagedSseEnabled=true in one request.
inline AwsError two_kinds_of_sse() {
    return {AwsErrorCode::kInvalidAttributeName,
            "You can use one type of server-side encryption (SSE) at one time. You can either "
            "enable KMS SSE or SQS SSE."};
}
inline AwsError invalid_attribute_value(const std::string& name) {
    return {AwsErrorCode::kInvalidAttributeValue, "Invalid value for the parameter " + name + "."};
}
// "Value {policy} for parameter RedrivePolicy is invalid. Reason: {reason}"
inline AwsError invalid_redrive_policy(const std::string& policy, const std::string& reason) {
    return {AwsErrorCode::kSqsInvalidParameterValue,
            "Value " + policy + " for parameter RedrivePolicy is invalid. Reason: " + reason};
}
inline AwsError redrive_not_a_map(const std::string& policy) {
    return invalid_redrive_policy(policy, "Redrive policy is not a valid JSON map.");
}
inline AwsError redrive_missing(const std::string& policy, std::string_view member) {
    return invalid_redrive_policy(policy, "Redrive policy does not contain mandatory attribute: " +
                                              std::string(member) + ".");
}
inline AwsError redrive_bad_count(const std::string& policy, const std::string& count) {
    return invalid_redrive_policy(policy, "Invalid value for maxReceiveCount: " + count +
                                              ", valid values are from 1 to 1000 both inclusive.");
}
inline AwsError redrive_target_missing(const std::string& policy) {
    return invalid_redrive_policy(policy, "Dead-letter target does not exist.");
}
inline AwsError redrive_target_is_source(const std::string& policy) {
    return invalid_redrive_policy(policy, "Dead-letter target cannot be the source queue.");
}
inline AwsError tags_invalid() {
    return {AwsErrorCode::kSqsInvalidParameterValue,
            "Tag keys must be non-empty, and tag keys and values may contain only valid UTF-8 "
            "characters."};
}
inline AwsError too_many_tags(const std::string& name) {
    return {AwsErrorCode::kSqsInvalidParameterValue, "Too many tags added for queue " + name + "."};
}

// --- parameters -----------------------------------------------------------------------------

inline AwsError missing_parameter(std::string_view name) {
    return {AwsErrorCode::kSqsMissingParameter,
            "The request must contain the parameter " + std::string(name) + "."};
}
inline AwsError not_an_integer(std::string_view name, const std::string& text) {
    return {AwsErrorCode::kSqsInvalidParameterValue,
            "Value " + text + " for parameter " + std::string(name) +
                " is invalid. Reason: must be an integer."};
}
// "... Reason: Must be >= {min} and <= {max}, if provided." (DelaySeconds, VisibilityTimeout,
// WaitTimeSeconds)
inline AwsError not_within(std::string_view name, int64_t value, int64_t min, int64_t max) {
    return {AwsErrorCode::kSqsInvalidParameterValue,
            "Value " + std::to_string(value) + " for parameter " + std::string(name) +
                " is invalid. Reason: Must be >= " + std::to_string(min) +
                " and <= " + std::to_string(max) + ", if provided."};
}
// "... Reason: Must be between {min} and {max}, if provided." (MaxNumberOfMessages, the move
// tasks' MaxResults and MaxNumberOfMessagesPerSecond)
inline AwsError not_between(std::string_view name, int64_t value, int64_t min, int64_t max) {
    return {AwsErrorCode::kSqsInvalidParameterValue,
            "Value " + std::to_string(value) + " for parameter " + std::string(name) +
                " is invalid. Reason: Must be between " + std::to_string(min) + " and " +
                std::to_string(max) + ", if provided."};
}
inline AwsError list_queues_max_results(int64_t value) {
    return {AwsErrorCode::kSqsInvalidParameterValue,
            "Value " + std::to_string(value) +
                " for parameter MaxResults is invalid. Reason: MaxResults must be an integer "
                "between 1 and 1000."};
}
inline AwsError invalid_next_token() {
    return {AwsErrorCode::kSqsInvalidParameterValue, "Invalid NextToken value."};
}

// --- messages -------------------------------------------------------------------------------

inline constexpr std::string_view kAllowedCharacters =
    "#x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF";

inline AwsError body_characters() {
    return {AwsErrorCode::kInvalidMessageContents,
            "Invalid characters found. Valid unicode characters are " +
                std::string(kAllowedCharacters)};
}
// SendMessage words it "are invalid"; a SendMessageBatch entry's Failed Message "cannot be
// validated".
inline AwsError message_too_long(int64_t max_size, bool batch_entry = false) {
    return {AwsErrorCode::kSqsInvalidParameterValue,
            std::string("One or more parameters ") +
                (batch_entry ? "cannot be validated" : "are invalid") +
                ". Reason: Message must be shorter than " + std::to_string(max_size) + " bytes."};
}
inline AwsError message_group_id_invalid(const std::string& id) {
    return {AwsErrorCode::kSqsInvalidParameterValue,
            "Value " + id +
                " for parameter MessageGroupId is invalid. Reason: MessageGroupId can only "
                "include alphanumeric and punctuation characters. 1 to 128 in length."};
}
inline AwsError too_many_message_attributes(size_t n) {
    return {AwsErrorCode::kSqsInvalidParameterValue, "Number of message attributes [" +
                                                         std::to_string(n) +
                                                         "] exceeds the allowed maximum [10]."};
}
inline AwsError message_attribute_name_length() {
    return {AwsErrorCode::kSqsInvalidParameterValue,
            "Message (user) attribute name must be between 1 and 256 characters long."};
}
inline AwsError message_attribute_characters(const std::string& name) {
    return {AwsErrorCode::kInvalidMessageContents,
            "Message (user) attribute '" + name +
                "' contains characters outside the allowed set (" +
                std::string(kAllowedCharacters) + ")."};
}
inline AwsError message_attribute_type(const std::string& name) {
    return {AwsErrorCode::kSqsInvalidParameterValue,
            "The type of message (user) attribute '" + name +
                "' is invalid. You must use only the following supported type prefixes: Binary, "
                "Number, String."};
}
inline AwsError message_attribute_empty(const std::string& name, const std::string& base_type) {
    return {AwsErrorCode::kSqsInvalidParameterValue,
            "Message (user) attribute '" + name + "' must contain a non-empty value of type '" +
                base_type + "'."};
}
inline AwsError message_attribute_not_a_number(const std::string& name) {
    return {AwsErrorCode::kSqsInvalidParameterValue,
            "Can't cast the value of message (user) attribute '" + name + "' to a number."};
}
inline AwsError message_attribute_invalid(const std::string& name) {
    return {AwsErrorCode::kSqsInvalidParameterValue,
            "The message attribute '" + name + "' is invalid."};
}
inline AwsError message_attribute_type_missing(const std::string& name) {
    return {AwsErrorCode::kSqsInvalidParameterValue,
            "The message attribute '" + name + "' must contain non-empty message attribute type."};
}
inline AwsError message_attribute_binary(const std::string& name) {
    return {AwsErrorCode::kSqsInvalidParameterValue,
            "The message attribute '" + name + "' has an invalid binary value."};
}
inline AwsError system_attribute_name(const std::string& name) {
    return {AwsErrorCode::kSqsInvalidParameterValue,
            "Message system attribute name '" + name + "' is invalid."};
}
inline AwsError over_limit(int64_t max_inflight) {
    return {AwsErrorCode::kOverLimit,
            "Too many messages in flight; the limit is " + std::to_string(max_inflight) + "."};
}

// --- receipt handles and visibility ---------------------------------------------------------

inline AwsError receipt_handle_invalid(const std::string& handle) {
    return {AwsErrorCode::kReceiptHandleIsInvalid,
            "The input receipt handle \"" + handle + "\" is not a valid receipt handle."};
}
inline constexpr std::string_view kNotAvailableForChange =
    "Message does not exist or is not available for visibility timeout change.";
inline AwsError handle_not_changeable(const std::string& handle) {
    return {AwsErrorCode::kSqsInvalidParameterValue,
            "Value " + handle + " for parameter ReceiptHandle is invalid. Reason: " +
                std::string(kNotAvailableForChange)};
}
inline AwsError message_not_inflight() {
    return {AwsErrorCode::kMessageNotInflight, std::string(kNotAvailableForChange)};
}
inline AwsError visibility_beyond_limit(int visibility_timeout) {
    return {AwsErrorCode::kSqsInvalidParameterValue,
            "Value " + std::to_string(visibility_timeout) +
                " for parameter VisibilityTimeout is invalid. Reason: Total VisibilityTimeout for "
                "the message is beyond the limit [43200 seconds]"};
}

// --- batches --------------------------------------------------------------------------------

inline AwsError empty_batch(std::string_view action) {
    return {AwsErrorCode::kEmptyBatchRequest,
            "There should be at least one " + std::string(action) + "RequestEntry in the request."};
}
inline AwsError too_many_entries(size_t n) {
    return {
        AwsErrorCode::kTooManyEntriesInBatchRequest,
        "Maximum number of entries per request are 10. You have sent " + std::to_string(n) + "."};
}
inline AwsError invalid_batch_entry_id() {
    return {AwsErrorCode::kInvalidBatchEntryId,
            "A batch entry id can only contain alphanumeric characters, hyphens and underscores. "
            "It can be at most 80 letters long."};
}
inline AwsError batch_ids_not_distinct(const std::string& id) {
    return {AwsErrorCode::kBatchEntryIdsNotDistinct, "Id " + id + " repeated."};
}
inline AwsError batch_too_long(size_t bytes) {
    return {AwsErrorCode::kBatchRequestTooLong,
            "Batch requests cannot be longer than 1048576 bytes. You have sent " +
                std::to_string(bytes) + " bytes."};
}

// --- message move tasks ---------------------------------------------------------------------

// `parameter`: SourceArn, DestinationArn or TaskHandle.
inline AwsError resource_not_found(std::string_view parameter) {
    return {AwsErrorCode::kSqsResourceNotFound, "The resource that you specified for the " +
                                                    std::string(parameter) +
                                                    " parameter doesn't exist."};
}
inline AwsError not_a_dead_letter_queue() {
    return {AwsErrorCode::kSqsInvalidParameterValue,
            "Source queue must be configured as a Dead Letter Queue."};
}
inline AwsError task_not_active() {
    return {AwsErrorCode::kSqsInvalidParameterValue, "Only active tasks can be cancelled."};
}

// --- the request itself ---------------------------------------------------------------------

inline AwsError not_a_json_object() {
    return {AwsErrorCode::kSerialization, "Start of structure or map found where not expected."};
}
inline AwsError malformed_form() {
    return {AwsErrorCode::kSqsInvalidParameterValue,
            "The request contains a malformed percent-encoded parameter."};
}
// JSON protocol, unknown X-Amz-Target action: AWS sends no message.
inline AwsError unknown_operation() {
    return {AwsErrorCode::kUnknownOperation, ""};
}
inline AwsError missing_action() {
    return {AwsErrorCode::kInvalidAction, "The request must contain the parameter Action."};
}
inline AwsError invalid_action(const std::string& action) {
    return {AwsErrorCode::kInvalidAction,
            "The action " + action + " is not valid for this endpoint."};
}

}  // namespace kemu::sqs_dlq::errors

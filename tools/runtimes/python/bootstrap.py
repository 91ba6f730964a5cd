"""kemu's Python bootstrap: runs a user's handler behind the Lambda Runtime API (2018-06-01).

Started by kemu as `<python> -u bootstrap.py` with cwd = LAMBDA_TASK_ROOT and the environment
AWS sets for a runtime (_HANDLER, AWS_LAMBDA_RUNTIME_API, AWS_LAMBDA_FUNCTION_NAME, ...; see
docs/aws/lambda.md). Standard library only; behaves like AWS's runtime interface client
`awslambdaric`: handler import failures are init errors (Runtime.ImportModuleError, ...),
handler exceptions are invocation errors with the body {"errorMessage", "errorType",
"requestId", "stackTrace"}, the context object is awslambdaric's LambdaContext
(memory_limit_in_mb a string, get_remaining_time_in_millis(), ...), and the root logger writes
"[LEVEL]<tab>timestamp<tab>request id<tab>message".
Protocol traffic goes over HTTP only; stdout and stderr are the function's log.
"""

import decimal
import http.client
import importlib
import json
import json.encoder
import logging
import math
import os
import sys
import time
import traceback

_THIS_FILE = os.path.abspath(__file__)
_API_PREFIX = "/2018-06-01/runtime"
_ERROR_TYPE_HEADER = "Lambda-Runtime-Function-Error-Type"

_UNHANDLED_EXCEPTION_WARNING = (
    "LAMBDA_WARNING: Unhandled exception. The most likely cause is an issue in the function code. "
    "However, in rare cases, a Lambda runtime update can cause unexpected function behavior. "
    "For functions using managed runtimes, runtime updates can be triggered by a function change, "
    "or can be applied automatically. To determine if the runtime has been updated, check the "
    "runtime version in the INIT_START log entry. If this error correlates with a change in the "
    "runtime version, you may be able to mitigate this error by temporarily rolling back to the "
    "previous runtime version. For more information, see "
    "https://docs.aws.amazon.com/lambda/latest/dg/runtimes-update.html"
)


class FaultException(Exception):
    MARSHAL_ERROR = "Runtime.MarshalError"
    UNMARSHAL_ERROR = "Runtime.UnmarshalError"
    USER_CODE_SYNTAX_ERROR = "Runtime.UserCodeSyntaxError"
    HANDLER_NOT_FOUND = "Runtime.HandlerNotFound"
    IMPORT_MODULE_ERROR = "Runtime.ImportModuleError"
    BUILT_IN_MODULE_CONFLICT = "Runtime.BuiltInModuleConflict"
    MALFORMED_HANDLER_NAME = "Runtime.MalformedHandlerName"
    LAMBDA_CONTEXT_UNMARSHAL_ERROR = "Runtime.LambdaContextUnmarshalError"

    def __init__(self, exception_type, msg, trace=None):
        super().__init__(msg)
        self.exception_type = exception_type
        self.msg = msg
        self.trace = trace


# --- JSON: Decimal as an exact JSON number (awslambdaric writes str(Decimal) raw) ----------------


class _DecimalText(float):
    """Carries a Decimal's text through the encoder's float path."""

    def __new__(cls, text):
        obj = super().__new__(cls, 0.0)
        obj.text = text
        return obj


class _Encoder(json.JSONEncoder):
    def default(self, o):
        if isinstance(o, decimal.Decimal):
            return _DecimalText("NaN" if o.is_nan() else str(o))
        return super().default(o)

    def iterencode(self, o, _one_shot=False):
        # The pure-Python iterencode with a float printer that knows _DecimalText (the C encoder
        # would print float.__repr__ of the placeholder).
        markers = {} if self.check_circular else None
        _encoder = (
            json.encoder.encode_basestring_ascii
            if self.ensure_ascii
            else json.encoder.encode_basestring
        )

        def floatstr(o, allow_nan=self.allow_nan):
            if isinstance(o, _DecimalText):
                return o.text
            if o != o:
                text = "NaN"
            elif o == math.inf:
                text = "Infinity"
            elif o == -math.inf:
                text = "-Infinity"
            else:
                return float.__repr__(o)
            if not allow_nan:
                raise ValueError("Out of range float values are not JSON compliant: " + repr(o))
            return text

        _iterencode = json.encoder._make_iterencode(
            markers, self.default, _encoder, self.indent, floatstr, self.key_separator,
            self.item_separator, self.sort_keys, self.skipkeys, _one_shot)
        return _iterencode(o, 0)


def _ensure_ascii():
    # awslambdaric stops escaping non-ASCII characters from the python3.12 runtime on.
    env = os.environ.get("AWS_EXECUTION_ENV", "")
    prefix = "AWS_Lambda_python"
    if env.startswith(prefix):
        try:
            major, minor = (int(p) for p in env[len(prefix):].split(".")[:2])
            return (major, minor) < (3, 12)
        except ValueError:
            return True
    return True


class _NeedsDecimal(Exception):
    pass


class _FastEncoder(json.JSONEncoder):
    """The C encoder; gives way to _Encoder when it meets a Decimal."""

    def default(self, o):
        if isinstance(o, decimal.Decimal):
            raise _NeedsDecimal()
        return super().default(o)


_ENCODER = _Encoder(ensure_ascii=_ensure_ascii())
_FAST_ENCODER = _FastEncoder(ensure_ascii=_ensure_ascii())


def to_json(obj):
    try:
        return _FAST_ENCODER.encode(obj)
    except _NeedsDecimal:
        return _ENCODER.encode(obj)


# --- Runtime API client ---------------------------------------------------------------------------


class RuntimeApiError(Exception):
    pass


class RuntimeClient:
    def __init__(self, address):
        self.address = address
        self.conn = None

    def _request(self, method, path, body=None, headers=None):
        for attempt in (0, 1):
            fresh = self.conn is None
            if fresh:
                self.conn = http.client.HTTPConnection(self.address, timeout=None)
            try:
                self.conn.request(method, _API_PREFIX + path, body=body, headers=headers or {})
                response = self.conn.getresponse()
                data = response.read()
                if response.will_close:
                    self.conn.close()
                    self.conn = None
                return response, data
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                # A kept-alive connection the server had already closed: retry once, fresh.
                self.conn.close()
                self.conn = None
                if fresh or attempt:
                    raise
        raise AssertionError("unreachable")

    def next(self):
        response, body = self._request("GET", "/invocation/next")
        if response.status != 200:
            raise RuntimeApiError(
                "Request to Lambda Runtime '/runtime/invocation/next' endpoint failed. Reason: "
                "'%d'. Response body: '%s'" % (response.status, body.decode("utf-8", "replace")))
        return response.headers, body

    def _post(self, path, body, headers):
        if isinstance(body, str):
            body = body.encode("utf-8")
        response, data = self._request("POST", path, body, headers)
        if response.status != 202:
            # 4xx: this invocation is over for the API (e.g. 413 payload too large); keep serving.
            sys.stderr.write(
                "[kemu bootstrap] POST %s%s returned %d: %s\n"
                % (_API_PREFIX, path, response.status, data.decode("utf-8", "replace")))
            if response.status >= 500:
                raise RuntimeApiError("Runtime API returned %d for %s" % (response.status, path))

    def post_response(self, request_id, body, content_type):
        self._post("/invocation/%s/response" % request_id, body, {"Content-Type": content_type})

    def post_error(self, request_id, error_result):
        self._post("/invocation/%s/error" % request_id, to_json(error_result),
                   {"Content-Type": "application/json",
                    _ERROR_TYPE_HEADER: error_result["errorType"] or "Function.Unknown"})

    def post_init_error(self, error_result):
        self._post("/init/error", to_json(error_result),
                   {"Content-Type": "application/json",
                    _ERROR_TYPE_HEADER: error_result["errorType"] or "Runtime.Unknown"})


# --- logging --------------------------------------------------------------------------------------

_current_request_id = None


class Unbuffered:
    def __init__(self, stream):
        self.stream = stream

    def __getattr__(self, attr):
        return getattr(self.stream, attr)

    def write(self, msg):
        n = self.stream.write(msg)
        self.stream.flush()
        return n

    def writelines(self, msgs):
        self.stream.writelines(msgs)
        self.stream.flush()


class LambdaLoggerHandler(logging.Handler):
    def emit(self, record):
        try:
            sys.stdout.write(self.format(record))
        except Exception:
            self.handleError(record)


class LambdaLoggerFilter(logging.Filter):
    def filter(self, record):
        record.aws_request_id = _current_request_id or ""
        return True


def setup_logging():
    logging.Formatter.converter = time.gmtime
    handler = LambdaLoggerHandler()
    handler.setFormatter(logging.Formatter(
        "[%(levelname)s]\t%(asctime)s.%(msecs)03dZ\t%(aws_request_id)s\t%(message)s\n",
        "%Y-%m-%dT%H:%M:%S"))
    handler.addFilter(LambdaLoggerFilter())
    root = logging.getLogger()
    level = os.environ.get("AWS_LAMBDA_LOG_LEVEL", "").upper()
    if level in logging._nameToLevel:
        root.setLevel(level)
    root.addHandler(handler)


def log_error(error_result):
    """The `[ERROR] Type: message` block AWS's Python runtime writes for a failure."""
    description = "[ERROR]"
    if error_result.get("errorType"):
        description += " " + error_result["errorType"]
    if error_result.get("errorMessage"):
        if error_result.get("errorType"):
            description += ":"
        description += " " + error_result["errorMessage"]
    lines = [description]
    stack_trace = error_result.get("stackTrace")
    if stack_trace is not None:
        lines.append("Traceback (most recent call last):")
        for element in stack_trace:
            lines.extend(element.splitlines() if element else [""])
    sys.stderr.write("\n".join(lines) + "\n")


# --- errors ---------------------------------------------------------------------------------------


def make_error(message, error_type, stack_trace, request_id=None):
    return {
        "errorMessage": message if message else "",
        "errorType": error_type if error_type else "",
        "requestId": request_id if request_id is not None else "",
        "stackTrace": stack_trace if stack_trace else [],
    }


def _user_frames(tb):
    # (file, line, function, text) tuples as awslambdaric keeps them: format_list then prints
    # no column carets, whatever the Python version.
    frames = [(f.filename, f.lineno, f.name, f.line) for f in traceback.extract_tb(tb)]
    # Drop the bootstrap's own leading frames: the trace starts where the user's code (or the
    # import machinery on its behalf) starts, as awslambdaric does.
    for i, frame in enumerate(frames):
        if os.path.abspath(frame[0]) != _THIS_FILE:
            return frames[i:]
    return frames


def build_fault_result(exc, request_id=None):
    frames = _user_frames(exc.__traceback__)
    return make_error(str(exc), type(exc).__name__, traceback.format_list(frames), request_id)


# --- handler loading ------------------------------------------------------------------------------


def get_handler(handler):
    try:
        modname, fname = handler.rsplit(".", 1)
    except ValueError as e:
        raise FaultException(FaultException.MALFORMED_HANDLER_NAME,
                             "Bad handler '{}': {}".format(handler, str(e)))
    try:
        if modname.split(".")[0] in sys.builtin_module_names:
            raise FaultException(
                FaultException.BUILT_IN_MODULE_CONFLICT,
                "Cannot use built-in module {} as a handler module".format(modname))
        module = importlib.import_module(modname.replace("/", "."))
    except ImportError as e:
        raise FaultException(FaultException.IMPORT_MODULE_ERROR,
                             "Unable to import module '{}': {}".format(modname, str(e)))
    except SyntaxError as e:
        trace = ['  File "%s" Line %s\n    %s' % (e.filename, e.lineno, e.text)]
        raise FaultException(FaultException.USER_CODE_SYNTAX_ERROR,
                             "Syntax error in module '{}': {}".format(modname, str(e)), trace)
    try:
        return getattr(module, fname)
    except AttributeError:
        raise FaultException(FaultException.HANDLER_NOT_FOUND,
                             "Handler '{}' missing on module '{}'".format(fname, modname))


# --- context --------------------------------------------------------------------------------------


class CognitoIdentity:
    __slots__ = ["cognito_identity_id", "cognito_identity_pool_id"]

    def __repr__(self):
        return "CognitoIdentity([cognito_identity_id=%s,cognito_identity_pool_id=%s])" % (
            self.cognito_identity_id, self.cognito_identity_pool_id)


class Client:
    __slots__ = ["installation_id", "app_title", "app_version_name", "app_version_code",
                 "app_package_name"]


class ClientContext:
    __slots__ = ["custom", "env", "client"]


def _obj_from_dict(cls, d):
    if d is None:
        return None
    obj = cls()
    for field in cls.__slots__:
        setattr(obj, field, d.get(field) if isinstance(d, dict) else None)
    return obj


class LambdaContext:
    def __init__(self, request_id, client_context, cognito_identity, deadline_ms,
                 invoked_function_arn, tenant_id=None):
        self.aws_request_id = request_id
        self.log_group_name = os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME")
        self.log_stream_name = os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME")
        self.function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME")
        self.memory_limit_in_mb = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")
        self.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION")
        self.invoked_function_arn = invoked_function_arn
        self.tenant_id = tenant_id
        self.client_context = _obj_from_dict(ClientContext, client_context)
        if self.client_context is not None:
            self.client_context.client = _obj_from_dict(Client, self.client_context.client)
        self.identity = _obj_from_dict(CognitoIdentity, {})
        if cognito_identity is not None:
            self.identity.cognito_identity_id = cognito_identity.get("cognitoIdentityId")
            self.identity.cognito_identity_pool_id = cognito_identity.get("cognitoIdentityPoolId")
        self._epoch_deadline_time_in_ms = deadline_ms

    def get_remaining_time_in_millis(self):
        delta_ms = self._epoch_deadline_time_in_ms - int(time.time() * 1000)
        return delta_ms if delta_ms > 0 else 0

    def log(self, msg):
        sys.stdout.write(str(msg))

    def __repr__(self):
        return (
            "LambdaContext([aws_request_id=%s,log_group_name=%s,log_stream_name=%s,"
            "function_name=%s,memory_limit_in_mb=%s,function_version=%s,"
            "invoked_function_arn=%s,client_context=%s,identity=%s,tenant_id=%s])" % (
                self.aws_request_id, self.log_group_name, self.log_stream_name,
                self.function_name, self.memory_limit_in_mb, self.function_version,
                self.invoked_function_arn, self.client_context, self.identity, self.tenant_id))


def _parse_json_header(value, name):
    try:
        return json.loads(value)
    except Exception as e:
        raise FaultException(FaultException.LAMBDA_CONTEXT_UNMARSHAL_ERROR,
                             "Unable to parse {} JSON: {}".format(name, str(e)))


# --- the loop -------------------------------------------------------------------------------------


def handle_invocation(client, handler, headers, body):
    request_id = headers.get("Lambda-Runtime-Aws-Request-Id", "")
    error_result = None
    try:
        client_context = headers.get("Lambda-Runtime-Client-Context")
        cognito = headers.get("Lambda-Runtime-Cognito-Identity")
        try:
            deadline_ms = int(headers.get("Lambda-Runtime-Deadline-Ms", "0"))
        except ValueError:
            deadline_ms = 0
        context = LambdaContext(
            request_id,
            _parse_json_header(client_context, "Client Context") if client_context else None,
            _parse_json_header(cognito, "Cognito Identity") if cognito else None,
            deadline_ms,
            headers.get("Lambda-Runtime-Invoked-Function-Arn"),
            headers.get("Lambda-Runtime-Aws-Tenant-Id"))
        content_type = headers.get("Content-Type") or "application/json"
        if content_type.split(";")[0].strip() == "application/json":
            try:
                event = json.loads(body)
            except Exception as e:
                raise FaultException(FaultException.UNMARSHAL_ERROR,
                                     "Unable to unmarshal input: {}".format(str(e)))
        else:
            event = body
        result = handler(event, context)
        if isinstance(result, bytes):
            payload, payload_type = result, "application/unknown"
        else:
            try:
                payload, payload_type = to_json(result), "application/json"
            except Exception as e:
                raise FaultException(FaultException.MARSHAL_ERROR,
                                     "Unable to marshal response: {}".format(str(e)))
    except FaultException as e:
        error_result = make_error(e.msg, e.exception_type, e.trace, request_id)
    except Exception as e:
        error_result = build_fault_result(e, request_id)

    if error_result is not None:
        log_error(error_result)
        client.post_error(request_id, error_result)
    else:
        client.post_response(request_id, payload, payload_type)


def main():
    handler_name = os.environ.get("_HANDLER")
    api = os.environ.get("AWS_LAMBDA_RUNTIME_API")
    if not handler_name or not api:
        missing = [n for n, v in (("_HANDLER", handler_name), ("AWS_LAMBDA_RUNTIME_API", api)) if not v]
        sys.stderr.write("kemu python bootstrap: missing environment variable(s): %s\n"
                         % ", ".join(missing))
        return 1

    sys.stdout = Unbuffered(sys.stdout)
    sys.stderr = Unbuffered(sys.stderr)

    task_root = os.environ.get("LAMBDA_TASK_ROOT") or os.getcwd()
    os.chdir(task_root)
    # The bootstrap's own directory must not shadow (or leak into) the user's imports.
    own_dir = os.path.dirname(_THIS_FILE)
    sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != own_dir]
    sys.path.insert(0, task_root)

    client = RuntimeClient(api)
    try:
        setup_logging()
        handler = get_handler(handler_name)
    except FaultException as e:
        error_result = make_error(e.msg, e.exception_type, e.trace)
    except Exception as e:
        error_result = build_fault_result(e)
    else:
        error_result = None
    if error_result is not None:
        logging.warning(_UNHANDLED_EXCEPTION_WARNING)
        log_error(error_result)
        client.post_init_error(error_result)
        return 1

    global _current_request_id
    while True:
        headers, body = client.next()
        _current_request_id = headers.get("Lambda-Runtime-Aws-Request-Id")
        trace_id = headers.get("Lambda-Runtime-Trace-Id")
        if trace_id:
            os.environ["_X_AMZN_TRACE_ID"] = trace_id
        else:
            os.environ.pop("_X_AMZN_TRACE_ID", None)
        handle_invocation(client, handler, headers, body)


if __name__ == "__main__":
    sys.exit(main())

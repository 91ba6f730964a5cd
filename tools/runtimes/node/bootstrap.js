/**
 * kemu's Node.js bootstrap: runs a user's handler behind the Lambda Runtime API (2018-06-01).
 *
 * Started by kemu as `node bootstrap.js` with cwd = LAMBDA_TASK_ROOT and the environment AWS
 * sets for a runtime (_HANDLER, AWS_LAMBDA_RUNTIME_API, AWS_LAMBDA_FUNCTION_NAME, ...; see
 * docs/aws/lambda.md). No npm dependencies; behaves like AWS's runtime interface client
 * `aws-lambda-ric` 3.x: CommonJS and ES module handlers, async and callback handlers, init
 * errors as Runtime.* types, the `{"errorType","errorMessage","trace"}` error body, AWS's console
 * format.
 * Protocol traffic goes over HTTP only; stdout is the function's log.
 */

'use strict';

const fs = require('fs');
const http = require('http');
const path = require('path');
const util = require('util');
const { pathToFileURL } = require('url');

const API_PREFIX = '/2018-06-01/runtime';
const ERROR_TYPE_HEADER = 'Lambda-Runtime-Function-Error-Type';
const REQUIRED_ENV = [
  'AWS_LAMBDA_RUNTIME_API',
  '_HANDLER',
  'AWS_LAMBDA_FUNCTION_NAME',
  'AWS_LAMBDA_FUNCTION_VERSION',
  'AWS_LAMBDA_FUNCTION_MEMORY_SIZE',
  'AWS_LAMBDA_LOG_GROUP_NAME',
  'AWS_LAMBDA_LOG_STREAM_NAME',
];

// --- errors ---------------------------------------------------------------------------------

class ExtendedError extends Error {}
class ImportModuleError extends ExtendedError {}
class HandlerNotFound extends ExtendedError {}
class MalformedHandlerName extends ExtendedError {}
class UserCodeSyntaxError extends ExtendedError {}
class UnhandledPromiseRejection extends ExtendedError {
  constructor(reason, promise) {
    super(reason);
    this.reason = reason;
    this.promise = promise;
  }
}
for (const e of [ImportModuleError, HandlerNotFound, MalformedHandlerName, UserCodeSyntaxError,
  UnhandledPromiseRejection]) {
  e.prototype.name = `Runtime.${e.name}`;
}

function isErrorLike(obj) {
  return Boolean(obj && obj.name && obj.message && obj.stack && typeof obj.name === 'string' &&
    typeof obj.message === 'string' && typeof obj.stack === 'string');
}

function intoError(err) {
  return err instanceof Error ? err : new Error(err);
}

/** The body posted to /error and /init/error, in Node's shape: errorType, errorMessage, trace. */
function toRuntimeResponse(error) {
  try {
    if (util.types.isNativeError(error) || isErrorLike(error)) {
      return {
        errorType: error.name,
        errorMessage: error.message,
        trace: error.stack.split('\n'),
      };
    }
    return { errorType: typeof error, errorMessage: String(error), trace: [] };
  } catch (_err) {
    return {
      errorType: 'handled',
      errorMessage: 'callback called with Error argument, but there was a problem while ' +
        'retrieving one or more of its message, name, and stack',
      trace: [],
    };
  }
}

function withEnumerableProperties(error) {
  if (error instanceof Error) {
    const ret = Object.assign(
      { errorType: error.name, errorMessage: error.message, code: error.code }, error);
    if (typeof error.stack === 'string') ret.stack = error.stack.split('\n');
    return ret;
  }
  return error;
}

/** The text the Node runtime logs for an error: always starts with a tab. */
function toFormatted(error) {
  try {
    return '\t' + JSON.stringify(error, (_k, v) => withEnumerableProperties(v));
  } catch (_err) {
    return '\t' + JSON.stringify(toRuntimeResponse(error));
  }
}

// --- console: `<ISO time>\t<request id>\t<LEVEL>\t<message>` on stdout ----------------------

const REQUEST_ID = Symbol.for('aws.lambda.runtime.requestId');

function patchConsole() {
  const levels = { TRACE: 1, DEBUG: 2, INFO: 3, WARN: 4, ERROR: 5, FATAL: 6 };
  const wanted = levels[(process.env.AWS_LAMBDA_LOG_LEVEL || '').toUpperCase()] || levels.TRACE;
  const make = (name) => {
    if (levels[name] < wanted) return () => {};
    return (message, ...params) => {
      const line = `${new Date().toISOString()}\t${globalThis[REQUEST_ID]}\t${name}\t` +
        util.format(message, ...params);
      process.stdout.write(line + '\n');
    };
  };
  console.trace = make('TRACE');
  console.debug = make('DEBUG');
  console.info = make('INFO');
  console.log = console.info;
  console.warn = make('WARN');
  console.error = make('ERROR');
  console.fatal = make('FATAL');
}

function logError(message, err) {
  console.error(message, toFormatted(intoError(err)));
}

// --- Runtime API client ---------------------------------------------------------------------

class RuntimeClient {
  constructor(hostPort) {
    const idx = hostPort.lastIndexOf(':');
    this.hostname = hostPort.slice(0, idx);
    this.port = parseInt(hostPort.slice(idx + 1), 10);
    // Free keep-alive sockets are unref'd, so they never hold the event loop open.
    this.agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  }

  request(method, urlPath, body, headers) {
    return new Promise((resolve, reject) => {
      const req = http.request({
        hostname: this.hostname,
        port: this.port,
        path: API_PREFIX + urlPath,
        method,
        headers: body === undefined ? headers : {
          'Content-Length': Buffer.byteLength(body),
          ...headers,
        },
        agent: this.agent,
      }, (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => resolve({
          status: res.statusCode,
          headers: res.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        }));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(body);
    });
  }

  async next() {
    const res = await this.request('GET', '/invocation/next');
    if (res.status !== 200) {
      throw new Error(`Failed to get next invocation: Runtime API returned ${res.status}: ` +
        res.body);
    }
    return res;
  }

  async post(urlPath, bodyString, headers) {
    const res = await this.request('POST', urlPath, bodyString, {
      'Content-Type': 'application/json', ...headers,
    });
    if (res.status !== 202) {
      process.stderr.write(`[kemu bootstrap] POST ${API_PREFIX}${urlPath} returned ` +
        `${res.status}: ${res.body}\n`);
      if (res.status >= 500) throw new Error(`Runtime API returned ${res.status} for ${urlPath}`);
    }
  }

  postInvocationResponse(result, id) {
    return this.post(`/invocation/${encodeURIComponent(id)}/response`, serialize(result), {});
  }

  postInvocationError(error, id) {
    const response = toRuntimeResponse(error);
    return this.post(`/invocation/${encodeURIComponent(id)}/error`, serialize(response),
      { [ERROR_TYPE_HEADER]: response.errorType });
  }

  postInitError(error) {
    const response = toRuntimeResponse(error);
    return this.post('/init/error', serialize(response),
      { [ERROR_TYPE_HEADER]: response.errorType });
  }
}

function serialize(body) {
  try {
    return JSON.stringify(body === undefined ? null : body);
  } catch (_err) {
    throw new Error('Unable to stringify response body');
  }
}

// --- handler loading ------------------------------------------------------------------------

function hasPackageJsonTypeModule(folder) {
  if (folder.endsWith('/node_modules')) return false;
  const pj = path.join(folder, 'package.json');
  if (fs.existsSync(pj)) {
    try {
      const pkg = JSON.parse(fs.readFileSync(pj));
      if (pkg) return pkg.type === 'module';
    } catch (e) {
      console.warn(`${pj} cannot be read, it will be ignored for ES module detection purposes.`,
        e);
      return false;
    }
  }
  if (folder === '/') return false;
  return hasPackageJsonTypeModule(path.resolve(folder, '..'));
}

function tryRequireFile(file, extension) {
  const p = file + (extension || '');
  return fs.existsSync(p) ? require(p) : undefined;
}

async function tryImport(file, extension) {
  const p = file + (extension || '');
  return fs.existsSync(p) ? await import(pathToFileURL(p).href) : undefined;
}

async function tryLoad(appRoot, moduleRoot, moduleName) {
  const lambdaStylePath = path.resolve(appRoot, moduleRoot, moduleName);
  const extensionless = tryRequireFile(lambdaStylePath);
  if (extensionless) return extensionless;
  const typeModule = hasPackageJsonTypeModule(path.dirname(lambdaStylePath));
  if (!typeModule) {
    const loaded = tryRequireFile(lambdaStylePath, '.js');
    if (loaded) return loaded;
  }
  const loaded = (typeModule && (await tryImport(lambdaStylePath, '.js'))) ||
    (await tryImport(lambdaStylePath, '.mjs')) ||
    tryRequireFile(lambdaStylePath, '.cjs');
  if (loaded) return loaded;
  // Node-style resolution relative to the task root (e.g. a package under node_modules).
  return require(require.resolve(moduleName, { paths: [appRoot, moduleRoot] }));
}

async function loadUserApp(appRoot, moduleRoot, moduleName) {
  try {
    return await tryLoad(appRoot, moduleRoot, moduleName);
  } catch (e) {
    if (e instanceof SyntaxError) throw new UserCodeSyntaxError(e);
    if (e && e.code === 'MODULE_NOT_FOUND') throw new ImportModuleError(e);
    throw e;
  }
}

async function loadHandler(appRoot, fullHandlerString) {
  if (fullHandlerString.includes('..')) {
    throw new MalformedHandlerName(`'${fullHandlerString}' is not a valid handler name. Use ` +
      'absolute paths when specifying root directories in handler names.');
  }
  const handlerString = path.basename(fullHandlerString);
  const moduleRoot = fullHandlerString.substring(0, fullHandlerString.indexOf(handlerString));
  const match = handlerString.match(/^([^.]*)\.(.*)$/);
  if (!match || match.length !== 3) throw new MalformedHandlerName('Bad handler');
  const [, moduleName, handlerPath] = match;

  const userApp = await loadUserApp(appRoot, moduleRoot, moduleName);
  const handlerFunc = handlerPath.split('.').reduce((nested, key) => nested && nested[key],
    userApp);
  if (!handlerFunc) {
    throw new HandlerNotFound(`${fullHandlerString} is undefined or not exported`);
  }
  if (typeof handlerFunc !== 'function') {
    throw new HandlerNotFound(`${fullHandlerString} is not a function`);
  }
  return handlerFunc;
}

// --- beforeExit: the event loop is empty (callbackWaitsForEmptyEventLoop) ---------------------

let beforeExitListener = () => {};
const BeforeExit = {
  set(fn) { beforeExitListener = fn; },
  reset() { beforeExitListener = () => {}; },
  invoke() { beforeExitListener(); },
};

// --- the loop -------------------------------------------------------------------------------

function isPromise(obj) {
  return obj && obj.then && typeof obj.then === 'function';
}

function lowercaseKeys(headers) {
  const out = {};
  for (const k of Object.keys(headers)) out[k.toLowerCase()] = headers[k];
  return out;
}

function parseJsonHeader(value, name) {
  if (value === undefined) return undefined;
  try {
    return JSON.parse(value);
  } catch (err) {
    throw new Error(`Cannot parse ${name} as json: ${err.toString()}`);
  }
}

class Runtime {
  constructor(client, handler, errorCallbacks) {
    this.client = client;
    this.handler = handler;
    this.errorCallbacks = errorCallbacks;
    this.isAsync = handler.constructor && handler.constructor.name === 'AsyncFunction';
  }

  scheduleIteration() {
    setImmediate(() => {
      this.handleOnce().catch((err) => {
        // A Runtime API failure (or a bug here): the environment cannot continue.
        process.stderr.write(`[kemu bootstrap] ${err && err.stack ? err.stack : err}\n`);
        process.exit(1);
      });
    });
  }

  fatal(err) {
    process.stderr.write(`[kemu bootstrap] ${err && err.stack ? err.stack : err}\n`);
    process.exit(1);
  }

  async handleOnce() {
    const next = await this.client.next();
    const headers = lowercaseKeys(next.headers);
    const id = headers['lambda-runtime-aws-request-id'];
    globalThis[REQUEST_ID] = id;

    const { callback, callbackContext, markCompleted } = this.buildCallbackContext(id);
    try {
      this.setErrorCallbacks(id);
      this.setDefaultExitListener(id, markCompleted);
      const context = this.buildContext(headers, callbackContext);
      const result = this.handler(JSON.parse(next.body), context, callback);
      if (isPromise(result)) {
        result.then(callbackContext.succeed, callbackContext.fail).catch(callbackContext.fail);
      }
    } catch (err) {
      callback(err);
    }
  }

  buildContext(headers, callbackContext) {
    const trace = headers['lambda-runtime-trace-id'];
    if (trace) process.env._X_AMZN_TRACE_ID = trace;
    else delete process.env._X_AMZN_TRACE_ID;
    const deadline = headers['lambda-runtime-deadline-ms'];
    return Object.assign(callbackContext, {
      functionVersion: process.env.AWS_LAMBDA_FUNCTION_VERSION,
      functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
      memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
      logGroupName: process.env.AWS_LAMBDA_LOG_GROUP_NAME,
      logStreamName: process.env.AWS_LAMBDA_LOG_STREAM_NAME,
    }, {
      clientContext: parseJsonHeader(headers['lambda-runtime-client-context'], 'ClientContext'),
      identity: parseJsonHeader(headers['lambda-runtime-cognito-identity'], 'CognitoIdentity'),
      invokedFunctionArn: headers['lambda-runtime-invoked-function-arn'],
      awsRequestId: headers['lambda-runtime-aws-request-id'],
      tenantId: headers['lambda-runtime-aws-tenant-id'],
      getRemainingTimeInMillis() {
        return deadline - Date.now();
      },
    });
  }

  /** callback(err, result), context.succeed/fail/done: only the first call counts. */
  buildCallbackContext(id) {
    const scheduleNext = () => this.scheduleIteration();
    const postError = (err) => {
      logError('Invoke Error', err);
      this.client.postInvocationError(err, id).then(scheduleNext, (e) => this.fatal(e));
    };
    let isCompleteInvoked = false;
    const complete = (result) => {
      if (isCompleteInvoked) {
        console.error('Invocation has already been reported as done. Cannot call complete ' +
          'more than once per invocation.');
        return;
      }
      isCompleteInvoked = true;
      const body = serialize(result); // throws 'Unable to stringify response body'
      this.client.post(`/invocation/${encodeURIComponent(id)}/response`, body, {})
        .then(scheduleNext, (e) => this.fatal(e));
    };
    let waitForEmptyEventLoop = true;
    const rawCallback = (err, result) => {
      BeforeExit.reset();
      if (err !== undefined && err !== null) {
        postError(err);
      } else if (!waitForEmptyEventLoop) {
        complete(result);
      } else {
        BeforeExit.set(() => setImmediate(() => complete(result)));
      }
    };
    const done = (err, result) => {
      BeforeExit.reset();
      if (err !== undefined && err !== null) postError(err);
      else complete(result);
    };
    let finished = false;
    const once = (fn) => function (...args) {
      if (!finished) {
        fn(...args);
        finished = true;
      }
    };
    const callbackContext = {
      get callbackWaitsForEmptyEventLoop() { return waitForEmptyEventLoop; },
      set callbackWaitsForEmptyEventLoop(value) { waitForEmptyEventLoop = value; },
      succeed: once((result) => done(null, result)),
      fail: once((err) => (err === undefined || err === null ? done('handled') : done(err, null))),
      done: once(done),
    };
    return {
      callback: once(rawCallback),
      callbackContext,
      markCompleted: () => { isCompleteInvoked = true; },
    };
  }

  setErrorCallbacks(id) {
    this.errorCallbacks.uncaughtException = (error) => {
      this.client.postInvocationError(error, id).finally(() => process.exit(129));
    };
    this.errorCallbacks.unhandledRejection = (error) => {
      this.client.postInvocationError(error, id).finally(() => process.exit(128));
    };
  }

  /** The event loop emptied before the handler answered. */
  setDefaultExitListener(id, markCompleted) {
    BeforeExit.set(() => {
      markCompleted();
      if (this.isAsync) {
        // An async handler whose promise can never settle: AWS fails the invocation.
        const error = new Error('Runtime exited without providing a reason');
        error.name = 'Runtime.NodeJsExit';
        logError('Invoke Error', error);
        this.client.postInvocationError(error, id).then(() => this.scheduleIteration(),
          (e) => this.fatal(e));
      } else {
        // A sync handler that neither returned a promise nor called back: a null response.
        this.client.postInvocationResponse(null, id).then(() => this.scheduleIteration(),
          (e) => this.fatal(e));
      }
    });
  }
}

async function main() {
  const missing = REQUIRED_ENV.filter((name) => !process.env[name]);
  if (missing.length > 0) {
    process.stderr.write('kemu node bootstrap: missing required environment variable(s): ' +
      `${missing.join(', ')}\n`);
    process.exit(1);
  }
  patchConsole();
  const client = new RuntimeClient(process.env.AWS_LAMBDA_RUNTIME_API);

  const errorCallbacks = {
    uncaughtException: (error) => {
      client.postInitError(error).finally(() => process.exit(129));
    },
    unhandledRejection: (error) => {
      client.postInitError(error).finally(() => process.exit(128));
    },
  };
  process.on('uncaughtException', (error) => {
    logError('Uncaught Exception', error);
    errorCallbacks.uncaughtException(error);
  });
  process.on('unhandledRejection', (reason, promise) => {
    const error = new UnhandledPromiseRejection(reason, promise);
    logError('Unhandled Promise Rejection', error);
    errorCallbacks.unhandledRejection(error);
  });
  BeforeExit.reset();
  process.on('beforeExit', () => BeforeExit.invoke());

  const appRoot = process.env.LAMBDA_TASK_ROOT || process.cwd();
  let handler;
  try {
    handler = await loadHandler(appRoot, process.env._HANDLER);
  } catch (error) {
    // As the reference runtime: the load failure surfaces as an uncaught exception, which is
    // logged and posted to /init/error before the process exits.
    logError('Uncaught Exception', error);
    await client.postInitError(error).catch((e) => {
      process.stderr.write(`[kemu bootstrap] posting the init error failed: ${e}\n`);
    });
    process.exit(129);
  }
  new Runtime(client, handler, errorCallbacks).scheduleIteration();
}

main();

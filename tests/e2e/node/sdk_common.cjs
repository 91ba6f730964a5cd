// What the JS SDK v3 test scripts share: a client config for a kemu endpoint (kemu's docs'
// test credentials, no retries) and an error caught as {name, status, message}.
"use strict";

function clientConfig(endpoint) {
  return {
    endpoint,
    region: "us-east-1",
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
    maxAttempts: 1,
  };
}

async function error(promise) {
  try {
    await promise;
    return null;
  } catch (e) {
    return { name: e.name, status: e.$metadata.httpStatusCode, message: e.message };
  }
}

module.exports = { clientConfig, error };

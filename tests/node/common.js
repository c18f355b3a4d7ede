// common.js: what the js client's scripts (plain.js, super.js) share: the
// connection from $RSTREAM_TEST_URI (or $RSTREAM_URI), reading the first N
// messages of a stream, and main(): connect, run the command the arguments
// name, close, and exit 1 with one line on stderr if anything failed.
"use strict"
const rabbit = require("rabbitmq-stream-js-client")

// The client's connection parameters, from the URI the tests use.
function params() {
  const u = new URL(process.env.RSTREAM_TEST_URI || process.env.RSTREAM_URI)
  return {
    hostname: u.hostname,
    port: Number(u.port || 5552),
    username: decodeURIComponent(u.username || "guest"),
    password: decodeURIComponent(u.password || "guest"),
    vhost: decodeURIComponent(u.pathname.slice(1) || "/"),
    heartbeat: 0,
  }
}

// Print the first n messages of stream from its first offset, each as the
// line show(msg) makes; exit status 1 (saying so) if fewer came within 10 s.
async function readFirst(script, client, stream, n, show) {
  const got = []
  await new Promise((resolve) => {
    const timer = setTimeout(resolve, 10000)
    client.declareConsumer({ stream, offset: rabbit.Offset.first() }, (msg) => {
      if (got.length < n) got.push(show(msg))
      if (got.length === n) {
        clearTimeout(timer)
        resolve()
      }
    })
  })
  for (const line of got) console.log(line)
  if (got.length < n) {
    console.error(`${script}: ${stream}: ${got.length} of ${n} records`)
    process.exitCode = 1
  }
}

// Run commands[argv[2]](client, ...the other arguments) on a new connection.
function main(script, commands) {
  async function run() {
    const [cmd, ...args] = process.argv.slice(2)
    const client = await rabbit.connect(params())
    try {
      if (!Object.prototype.hasOwnProperty.call(commands, cmd)) throw new Error(`unknown command ${cmd}`)
      await commands[cmd](client, ...args)
    } finally {
      await client.close()
    }
  }
  run().catch((e) => {
    console.error(`${script}:`, e && e.message ? e.message : e)
    process.exit(1)
  })
}

module.exports = { params, readFirst, main }

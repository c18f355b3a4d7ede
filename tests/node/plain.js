// plain.js: rabbitmq-stream-js-client as the independent peer of the
// plain-stream interop tests (tests/bats/js-interop.bats), on
// $RSTREAM_TEST_URI.
//
//   node plain.js publish STREAM N
//       publish N messages: body "js-I", message id "m-I", content type
//       text/plain, application properties src=js and i=I (a string)
//   node plain.js read STREAM N
//       print the first N messages as JSON lines: {"body", "message_id",
//       "content_type", "app"}; exit 1 if fewer than N came within 10 s
"use strict"
const rabbit = require("rabbitmq-stream-js-client")

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

async function publish(client, stream, n) {
  const pub = await client.declarePublisher({ stream })
  for (let i = 1; i <= n; i++)
    await pub.send(Buffer.from(`js-${i}`), {
      messageProperties: { messageId: `m-${i}`, contentType: "text/plain" },
      applicationProperties: { src: "js", i: String(i) },
    })
  await pub.flush()
  await pub.close()
}

async function read(client, stream, n) {
  const got = []
  await new Promise((resolve) => {
    const timer = setTimeout(resolve, 10000)
    client.declareConsumer({ stream, offset: rabbit.Offset.first() }, (msg) => {
      if (got.length < n)
        got.push({
          body: msg.content.toString(),
          message_id: msg.messageProperties ? msg.messageProperties.messageId : undefined,
          content_type: msg.messageProperties ? msg.messageProperties.contentType : undefined,
          app: msg.applicationProperties || {},
        })
      if (got.length === n) {
        clearTimeout(timer)
        resolve()
      }
    })
  })
  for (const m of got) console.log(JSON.stringify(m))
  if (got.length < n) {
    console.error(`plain.js: ${stream}: ${got.length} of ${n} records`)
    process.exitCode = 1
  }
}

async function main() {
  const [cmd, stream, n] = process.argv.slice(2)
  const client = await rabbit.connect(params())
  try {
    if (cmd === "publish") await publish(client, stream, Number(n))
    else if (cmd === "read") await read(client, stream, Number(n))
    else throw new Error(`unknown command ${cmd}`)
  } finally {
    await client.close()
  }
}

main().catch((e) => {
  console.error("plain.js:", e && e.message ? e.message : e)
  process.exit(1)
})

// super.js: rabbitmq-stream-js-client as the independent peer of the
// super-stream tests (tests/bats/superstream.bats), on $RSTREAM_TEST_URI.
//
//   node super.js publish SUPER KEY=VALUE...
//       publish each VALUE through the client's super stream publisher,
//       hash-routed by KEY (also sent as application property "key")
//   node super.js read STREAM N
//       print the first N records of one stream (a partition), each as
//       "BODY" on its own line; exit 1 if fewer than N came within 10 s
//   node super.js partitions SUPER
//       print the partitions as the client gets them, one a line
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

async function publish(client, superStream, pairs) {
  const pub = await client.declareSuperStreamPublisher(
    { superStream },
    (content, opts) => opts.applicationProperties.key,
  )
  for (const kv of pairs) {
    const i = kv.indexOf("=")
    await pub.send(Buffer.from(kv.slice(i + 1)), { applicationProperties: { key: kv.slice(0, i) } })
  }
  await pub.close()
}

async function read(client, stream, n) {
  const got = []
  await new Promise((resolve) => {
    const timer = setTimeout(resolve, 10000)
    client.declareConsumer({ stream, offset: rabbit.Offset.first() }, (msg) => {
      if (got.length < n) got.push(msg.content.toString())
      if (got.length === n) {
        clearTimeout(timer)
        resolve()
      }
    })
  })
  for (const b of got) console.log(b)
  if (got.length < n) {
    console.error(`super.js: ${stream}: ${got.length} of ${n} records`)
    process.exitCode = 1
  }
}

async function main() {
  const [cmd, name, ...rest] = process.argv.slice(2)
  const client = await rabbit.connect(params())
  try {
    if (cmd === "publish") await publish(client, name, rest)
    else if (cmd === "read") await read(client, name, Number(rest[0]))
    else if (cmd === "partitions")
      for (const p of await client.queryPartitions({ superStream: name })) console.log(p)
    else throw new Error(`unknown command ${cmd}`)
  } finally {
    await client.close()
  }
}

main().catch((e) => {
  console.error("super.js:", e && e.message ? e.message : e)
  process.exit(1)
})

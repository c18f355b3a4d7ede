// super.js: rabbitmq-stream-js-client as the independent peer of the
// super-stream tests (tests/bats/superstream.bats), on $RSTREAM_TEST_URI
// (the connection and the reading: common.js).
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
const { readFirst, main } = require("./common")

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

main("super.js", {
  publish: (client, superStream, ...pairs) => publish(client, superStream, pairs),
  read: (client, stream, n) =>
    readFirst("super.js", client, stream, Number(n), (msg) => msg.content.toString()),
  partitions: async (client, superStream) => {
    for (const p of await client.queryPartitions({ superStream })) console.log(p)
  },
})

// plain.js: rabbitmq-stream-js-client as the independent peer of the
// plain-stream interop tests (tests/bats/interop-js.bats), on
// $RSTREAM_TEST_URI (the connection and the reading: common.js).
//
//   node plain.js publish STREAM N
//       publish N messages: body "js-I", message id "m-I", content type
//       text/plain, application properties src=js and i=I (a string)
//   node plain.js read STREAM N
//       print the first N messages as JSON lines: {"body", "message_id",
//       "content_type", "app"}; exit 1 if fewer than N came within 10 s
"use strict"
const { readFirst, main } = require("./common")

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

main("plain.js", {
  publish: (client, stream, n) => publish(client, stream, Number(n)),
  read: (client, stream, n) =>
    readFirst("plain.js", client, stream, Number(n), (msg) =>
      JSON.stringify({
        body: msg.content.toString(),
        message_id: msg.messageProperties ? msg.messageProperties.messageId : undefined,
        content_type: msg.messageProperties ? msg.messageProperties.contentType : undefined,
        app: msg.applicationProperties || {},
      }),
    ),
})

// route.js: the partition index rabbitmq-stream-js-client's hash routing
// picks for each KEY among N partitions (its own murmur32 and modulo), one
// per line; the tests compare rstream-cat's routing with it.
//     node route.js N KEY...
"use strict"
const { murmur32 } = require("rabbitmq-stream-js-client/dist/hash/murmur32")

const n = Number(process.argv[2])
for (const key of process.argv.slice(3)) console.log(murmur32(key) % n)

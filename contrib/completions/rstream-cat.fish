# fish completion for rstream-cat(1).
#
# Installed by "make install" into $(fishcompdir), by default
# $(datadir)/fish/vendor_completions.d, where fish loads it the first time
# rstream-cat is completed. tests/bats/completion.bats fails when an option of
# "rstream-cat --help" is missing here.

set -l c rstream-cat

# Connection
complete -c $c -s u -l uri -x -a 'rabbitmq-stream:// rabbitmq-stream+tls://' -d 'A broker URI (repeatable: seed nodes)'
complete -c $c -l no-locate -d 'Publish through the seed node, not the leader'
complete -c $c -l load-balancer -d 'The URI is a load balancer: connect through it until on the leader'
complete -c $c -l heartbeat -x -d 'Ask the broker for heartbeats this often'
complete -c $c -l retry-for -x -d 'After a failure, connect again for this long'
complete -c $c -l timeout -x -d 'Wait this long to connect and for any reply'
# TLS and authentication
complete -c $c -l cacert -r -F -d 'Trust the CA certificates in FILE (PEM)'
complete -c $c -l cert -r -F -d 'Present this client certificate (PEM)'
complete -c $c -l key -r -F -d 'The private key of --cert'
complete -c $c -l tls-server-name -x -a '(__fish_print_hostnames)' -d 'Check the certificate against NAME'
complete -c $c -l insecure -d "Do not verify the broker's certificate"
complete -c $c -l sasl-mechanism -x -a 'PLAIN EXTERNAL' -d 'The SASL mechanism'
complete -c $c -l password-file -r -F -d 'The password is the first line of FILE'
# Input
complete -c $c -s 0 -l null -d 'Records end with NUL, not newline'
complete -c $c -s D -l delimiter -x -d 'Records end with STR'
complete -c $c -l framing -x -a 'lines null be32 whole' -d 'How records are framed'
complete -c $c -s W -l whole -d 'Each FILE (or all of stdin) is one record'
complete -c $c -l skip-empty -d 'Do not publish empty records'
complete -c $c -l oversize -x -a 'fail skip' -d 'A record too large for a message'
complete -c $c -s c -l count -x -d 'Publish at most N records'
# Messages
complete -c $c -l raw -d 'Publish the bare bytes, not AMQP 1.0 messages'
complete -c $c -s H -l header -x -d 'An application property KEY=VALUE (repeatable)'
complete -c $c -l content-type -x -a 'text/plain application/json application/octet-stream' -d 'The content-type property'
complete -c $c -l content-encoding -x -d 'The content-encoding property'
complete -c $c -l message-id -x -d 'The message-id property: %n record number, %f file name'
complete -c $c -l filter-value -x -a 'json: header:' -d 'A filter value per message (3.13+): json:PATH, header:NAME or a template'
complete -c $c -s J -l json -d 'Input lines are rstream-tail -J objects'
complete -c $c -l dry-run -d 'Print the messages as rstream-tail -J would; do not connect'
# Delivery
complete -c $c -s N -l name -x -d 'A named publisher: the broker drops duplicates'
complete -c $c -l resume -d 'With -N: publish only what the stream does not have'
complete -c $c -l max-in-flight -x -d 'Unconfirmed records before reading pauses'
complete -c $c -l sub-entry-size -x -d 'Publish up to N records in one sub-entry batch'
complete -c $c -l compression -x -a 'none gzip snappy lz4 zstd' -d 'Compress each sub-entry batch'
complete -c $c -l linger -x -d 'Wait this long for fuller frames'
complete -c $c -l confirm-timeout -x -d 'Give up waiting for confirms after this long'
complete -c $c -l stats -d 'Print the summary line on success too'
complete -c $c -l progress -d 'Show records, bytes, confirms, rate and ETA on one line on stderr'
complete -c $c -l no-progress -d 'No automatic progress line'
# Stream creation
complete -c $c -l create -d 'Create STREAM if it does not exist'
complete -c $c -l max-length-bytes -x -d 'Retention by size (500mb, 20gb)'
complete -c $c -l max-age -x -d 'Retention by age (30s 10m 2h 7d)'
complete -c $c -l max-segment-size -x -d 'Size of the stream segment files'
complete -c $c -l leader-locator -x -a 'client-local balanced least-leaders random' -d 'Where the leader goes'
complete -c $c -l initial-cluster-size -x -d 'Number of nodes holding the stream'
# Super streams
complete -c $c -l super-stream -d 'STREAM is a super stream: route each record to a partition'
complete -c $c -s K -l key-delimiter -x -d 'Records are KEY DELIM VALUE: KEY routes'
complete -c $c -l key-field -x -d 'With -J: the routing key is this field'
complete -c $c -l routing -x -a 'hash key' -d 'How a key picks its partition'
complete -c $c -l partitions -x -d 'With --create: N partitions SUPER-0 ...'
complete -c $c -l binding-keys -x -d 'With --create: partitions SUPER-KEY ...'
complete -c $c -l delete -d 'Delete the super stream and exit'
# Other
complete -c $c -s v -l verbose -d 'Say what is happening on stderr'
complete -c $c -s h -l help -d 'Show the help and exit'
complete -c $c -s V -l version -d 'Show the version and exit'

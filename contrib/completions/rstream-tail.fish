# fish completion for rstream-tail(1).
#
# Installed by "make install" into $(fishcompdir), by default
# $(datadir)/fish/vendor_completions.d, where fish loads it the first time
# rstream-tail is completed. tests/bats/completion.bats fails when an option
# of "rstream-tail --help" is missing here.

# Whether the line has "--": what follows it is COMMAND [ARG...].
function __rstream_tail_has_command
    contains -- -- (commandline -opc)
end

# Complete the command line after "--" as a command line of its own.
function __rstream_tail_command
    set -l tokens (commandline -opc) (commandline -ct)
    set -l i (contains -i -- -- $tokens)
    or return
    __fish_complete_subcommand --commandline $tokens[(math $i + 1)..-1]
end

set -l c rstream-tail
set -l o 'not __rstream_tail_has_command'

complete -c $c -f
complete -c $c -n __rstream_tail_has_command -x -a '(__rstream_tail_command)'

# Connection
complete -c $c -n $o -s u -l uri -x -a 'rabbitmq-stream:// rabbitmq-stream+tls://' -d 'A broker URI (repeatable: seed nodes)'
complete -c $c -n $o -l no-locate -d 'Read from the seed node, not a replica'
complete -c $c -n $o -l load-balancer -d 'The URI is a load balancer: connect through it until on a replica'
complete -c $c -n $o -l heartbeat -x -d 'Ask the broker for heartbeats this often'
complete -c $c -n $o -l retry-for -x -d 'After a failure, connect again for this long'
complete -c $c -n $o -l timeout -x -d 'Wait this long to connect and for any reply'
# TLS and authentication
complete -c $c -n $o -l cacert -r -F -d 'Trust the CA certificates in FILE (PEM)'
complete -c $c -n $o -l cert -r -F -d 'Present this client certificate (PEM)'
complete -c $c -n $o -l key -r -F -d 'The private key of --cert'
complete -c $c -n $o -l tls-server-name -x -a '(__fish_print_hostnames)' -d 'Check the certificate against NAME'
complete -c $c -n $o -l insecure -d "Do not verify the broker's certificate"
complete -c $c -n $o -l sasl-mechanism -x -a 'PLAIN EXTERNAL' -d 'The SASL mechanism'
complete -c $c -n $o -l password-file -r -F -d 'The password is the first line of FILE'
# Where to start and stop
complete -c $c -n $o -s o -l offset -x -a 'first last next now today yesterday' -d 'Where to start'
complete -c $c -n $o -s n -l lines -x -d 'Start N records before the end'
complete -c $c -n $o -l since -x -a 'now today yesterday' -d 'Start at the first chunk written at or after TIME'
complete -c $c -n $o -s e -l exit-at-end -d 'Stop at the end the stream had at the start'
complete -c $c -n $o -s f -l follow -d 'Keep printing records as they arrive'
complete -c $c -n $o -s F -d 'Like -f, and wait for the stream and reconnect, forever'
complete -c $c -n $o -s c -l count -x -d 'Exit after N records'
complete -c $c -n $o -l until -x -a 'now today yesterday' -d 'Stop before the first chunk written at or after TIME'
# Named readers
complete -c $c -n $o -s N -l name -x -d 'A named reader: start after its stored offset'
complete -c $c -n $o -l reset -d 'With -N: ignore the stored offset this time'
complete -c $c -n $o -l no-store -d 'With -N: read from the stored offset, store nothing'
complete -c $c -n $o -l store-every -x -d 'Store the offset every N records'
complete -c $c -n $o -l single-active -d 'With -N: one reader of NAME at a time per stream or partition (3.11+)'
# Output
complete -c $c -n $o -s 0 -l null -d 'End each record with NUL, not newline'
complete -c $c -n $o -s D -l delimiter -x -d 'End each record with STR'
complete -c $c -n $o -l framing -x -a 'lines null be32 raw' -d 'How records are framed'
complete -c $c -n $o -l raw -d 'Bodies back to back'
complete -c $c -n $o -s J -l json -d 'JSON lines'
complete -c $c -n $o -l format -x -d 'kcat-style format: %s body, %o offset, %T timestamp'
complete -c $c -n $o -s l -l line-buffered -d 'Write each record at once'
complete -c $c -n $o -l no-crc -d 'Do not check the CRC-32 of each chunk'
complete -c $c -n $o -l filter -x -d 'Only records with this filter value (3.13+; repeatable)'
complete -c $c -n $o -l match-unfiltered -d 'With --filter: also records with no filter value'
complete -c $c -n $o -l progress -d 'Show records, bytes, rate and ETA on one line on stderr'
complete -c $c -n $o -l no-progress -d 'No automatic progress line'
complete -c $c -n $o -s q -l quiet -d 'With several streams, no ==> STREAM <== headers'
# Several streams
complete -c $c -n $o -l super-stream -d 'Each STREAM is a super stream: read all its partitions'
# Where streams stand
complete -c $c -n $o -l info -d 'Where each STREAM and each -N reader and publisher stands'
complete -c $c -n $o -l max-lag -x -d 'With --info: exit 3 if a named reader is more than N records behind'
complete -c $c -n $o -l max-idle -x -d 'With --info: exit 3 if the last record is older than DURATION'
# Commands
complete -c $c -n $o -l on-error -x -a 'stop skip' -d 'What a failing COMMAND does'
# Other
complete -c $c -n $o -s v -l verbose -d 'Say what is happening on stderr'
complete -c $c -n $o -s h -l help -d 'Show the help and exit'
complete -c $c -n $o -s V -l version -d 'Show the version and exit'

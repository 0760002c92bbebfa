# timeline-sequential-mixed: drawn by lab-plot timeline from measured traces. Each box is a span:
# coloured by the client it served, gray where the thread waited; the pale boxes
# are each client's requests from send to reply. Run `gnuplot timeline-sequential-mixed.gp` to redraw.
$chart0 << EOD
# start_ms end_ms row colour
0.08129 50.19 3 29362
50.1994 100.297 3 10132122
100.368 100.399 3 10132122
100.404 150.442 3 29362
150.448 200.61 3 10132122
200.709 250.713 3 29362
250.719 300.856 3 10132122
300.923 300.995 3 10132122
301.027 301.029 3 10132122
301.15 351.172 3 15113984
351.179 402.103 3 10132122
402.176 404.963 3 10132122
404.974 457.033 3 15113984
457.04 507.184 3 10132122
507.269 507.344 3 10132122
507.351 557.413 3 15113984
557.419 607.561 3 10132122
607.645 607.725 3 10132122
607.764 607.766 3 10132122
607.825 657.883 3 40563
657.887 707.995 3 10132122
708.068 708.122 3 10132122
708.128 758.168 3 40563
758.17 808.293 3 10132122
808.353 809.195 3 10132122
809.201 859.238 3 40563
859.241 909.336 3 10132122
909.398 909.449 3 10132122
909.477 909.479 3 10132122
909.532 909.534 3 14540253
EOD
$chart0_requests << EOD
# start_ms end_ms row colour
0 100.386 0 29362
100.386 200.681 0 29362
200.681 300.953 0 29362
0.017576 403.804 1 15113984
403.804 507.284 1 15113984
507.284 607.666 1 15113984
0.025217 708.077 2 40563
708.077 809.15 2 40563
809.15 909.407 2 40563
EOD
set style fill solid 1.0
set grid xtics lc rgb '#EEEEEE'
set tics nomirror
set key outside top center horizontal
set lmargin 30
do for [format in "png svg"] {
  if (format eq "png") { set terminal pngcairo size 1200,356 font "DejaVu Sans,10" } else { set terminal svg size 1200,356 font "DejaVu Sans,10" dynamic }
  set output sprintf("timeline-sequential-mixed.%s", format)
  set multiplot layout 1,1 title "Measured timeline: sequential, scenario mixed"
  set title "sequential: WORK 50000 50 16, three clients"
  set yrange [3.5:-0.5]
  set xrange [0:927.595]
  set ytics ("client 1 (request to reply)" 0, "client 2 (request to reply)" 1, "client 3 (request to reply)" 2, "server: main: accept loop" 3)
  set xlabel "time since the first request was sent (ms)"
  plot $chart0 using (($1+$2)/2):3:1:2:($3-0.36):($3+0.36):4 with boxxyerror fs solid 1.0 noborder lc rgb variable notitle, \
       $chart0_requests using (($1+$2)/2):3:1:2:($3-0.36):($3+0.36):4 with boxxyerror fs transparent solid 0.45 noborder lc rgb variable notitle, \
       keyentry with boxes fs solid lc rgb "#9A9A9A" title "waiting (no CPU)", \
       keyentry with boxes fs solid lc rgb "#DDDDDD" title "waiting for any client"
  unset multiplot
  set output
}

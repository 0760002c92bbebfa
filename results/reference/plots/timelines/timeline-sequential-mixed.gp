# timeline-sequential-mixed: drawn by lab-plot timeline from measured traces. Each box is a span:
# coloured by the client it served, gray where the thread waited; the pale boxes
# are each client's requests from send to reply. Run `gnuplot timeline-sequential-mixed.gp` to redraw.
$chart0 << EOD
# start_ms end_ms row colour
0.015417 50.0892 3 29362
50.0983 100.225 3 10132122
100.32 100.369 3 10132122
100.375 150.419 3 29362
150.429 200.553 3 10132122
200.638 200.697 3 10132122
200.703 250.746 3 29362
250.75 300.886 3 10132122
300.975 301.071 3 10132122
301.131 301.133 3 10132122
301.184 351.207 3 15113984
351.211 401.345 3 10132122
401.427 401.517 3 10132122
401.524 452.494 3 15113984
452.499 502.646 3 10132122
502.721 502.822 3 10132122
502.844 552.883 3 15113984
552.886 603.031 3 10132122
603.105 603.165 3 10132122
603.191 603.193 3 10132122
603.242 653.255 3 40563
653.262 703.369 3 10132122
703.454 753.457 3 40563
753.46 803.601 3 10132122
803.66 803.71 3 10132122
803.719 853.735 3 40563
853.737 903.86 3 10132122
903.927 904.059 3 10132122
904.089 904.091 3 10132122
EOD
$chart0_requests << EOD
# start_ms end_ms row colour
0 100.329 0 29362
100.329 200.647 0 29362
200.647 301.013 0 29362
0.011126 401.462 1 15113984
401.462 502.762 1 15113984
502.762 603.123 1 15113984
0.017536 703.437 2 40563
703.437 803.672 2 40563
803.672 903.94 2 40563
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
  set xrange [0:922.019]
  set ytics ("client 1 (request to reply)" 0, "client 2 (request to reply)" 1, "client 3 (request to reply)" 2, "server: main: accept loop" 3)
  set xlabel "time since the first request was sent (ms)"
  plot $chart0 using (($1+$2)/2):3:1:2:($3-0.36):($3+0.36):4 with boxxyerror fs solid 1.0 noborder lc rgb variable notitle, \
       $chart0_requests using (($1+$2)/2):3:1:2:($3-0.36):($3+0.36):4 with boxxyerror fs transparent solid 0.45 noborder lc rgb variable notitle, \
       keyentry with boxes fs solid lc rgb "#9A9A9A" title "waiting (no CPU)", \
       keyentry with boxes fs solid lc rgb "#DDDDDD" title "waiting for any client"
  unset multiplot
  set output
}

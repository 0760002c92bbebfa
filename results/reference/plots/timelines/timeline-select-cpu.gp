# timeline-select-cpu: drawn by lab-plot timeline from measured traces. Each box is a span:
# coloured by the client it served, gray where the thread waited; the pale boxes
# are each client's requests from send to reply. Run `gnuplot timeline-select-cpu.gp` to redraw.
$chart0 << EOD
# start_ms end_ms row colour
0.036655 0.040881 3 14540253
0.073109 0.075853 3 14540253
0.076904 0.083875 3 10132122
0.085838 100.165 3 29362
100.247 100.253 3 10132122
100.256 200.329 3 15113984
200.406 200.412 3 10132122
200.414 300.416 3 40563
300.491 300.499 3 14540253
300.502 300.508 3 10132122
300.51 400.513 3 29362
400.587 400.594 3 10132122
400.596 500.611 3 15113984
500.684 500.691 3 14540253
500.693 500.698 3 10132122
500.7 600.727 3 29362
600.785 600.792 3 10132122
600.813 700.834 3 40563
700.92 700.93 3 14540253
700.931 700.939 3 10132122
700.976 700.979 3 10132122
700.98 801.026 3 15113984
801.11 801.12 3 14540253
801.151 801.154 3 10132122
801.156 901.159 3 40563
901.243 901.251 3 14540253
901.252 901.258 3 10132122
901.283 901.285 3 14540253
901.31 901.312 3 14540253
901.313 901.315 3 10132122
901.329 901.331 3 14540253
901.336 901.372 3 14540253
901.373 901.374 3 14540253
EOD
$chart0_requests << EOD
# start_ms end_ms row colour
0 100.248 0 29362
100.248 400.649 0 29362
400.649 602.071 0 29362
0.01327 200.438 1 15113984
200.438 500.724 1 15113984
500.725 801.141 1 15113984
0.019229 302.083 2 40563
302.083 700.969 2 40563
700.969 901.283 2 40563
EOD
set style fill solid 1.0
set grid xtics lc rgb '#EEEEEE'
set tics nomirror
set key outside top center horizontal
set lmargin 30
do for [format in "png svg"] {
  if (format eq "png") { set terminal pngcairo size 1200,356 font "DejaVu Sans,10" } else { set terminal svg size 1200,356 font "DejaVu Sans,10" dynamic }
  set output sprintf("timeline-select-cpu.%s", format)
  set multiplot layout 1,1 title "Measured timeline: select, scenario cpu"
  set title "select: WORK 100000 0 16, three clients"
  set yrange [3.5:-0.5]
  set xrange [0:919.308]
  set ytics ("client 1 (request to reply)" 0, "client 2 (request to reply)" 1, "client 3 (request to reply)" 2, "server: event loop" 3)
  set xlabel "time since the first request was sent (ms)"
  plot $chart0 using (($1+$2)/2):3:1:2:($3-0.36):($3+0.36):4 with boxxyerror fs solid 1.0 noborder lc rgb variable notitle, \
       $chart0_requests using (($1+$2)/2):3:1:2:($3-0.36):($3+0.36):4 with boxxyerror fs transparent solid 0.45 noborder lc rgb variable notitle, \
       keyentry with boxes fs solid lc rgb "#9A9A9A" title "waiting (no CPU)", \
       keyentry with boxes fs solid lc rgb "#DDDDDD" title "waiting for any client"
  unset multiplot
  set output
}

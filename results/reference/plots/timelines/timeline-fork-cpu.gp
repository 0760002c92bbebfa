# timeline-fork-cpu: drawn by lab-plot timeline from measured traces. Each box is a span:
# coloured by the client it served, gray where the thread waited; the pale boxes
# are each client's requests from send to reply. Run `gnuplot timeline-fork-cpu.gp` to redraw.
$chart0 << EOD
# start_ms end_ms row colour
0.386194 100.502 3 15113984
100.584 100.615 3 10132122
100.619 296.156 3 15113984
296.212 442.868 3 15113984
442.939 443.041 3 10132122
443.101 443.103 3 10132122
0.441115 199.896 4 29362
199.983 201.394 4 10132122
201.401 316.857 4 29362
316.997 450.822 4 29362
450.908 450.912 4 10132122
1.12444 153.055 5 40563
153.193 274.326 5 40563
274.384 274.424 5 10132122
274.429 461.026 5 40563
461.086 461.167 5 10132122
461.229 461.232 5 10132122
EOD
$chart0_requests << EOD
# start_ms end_ms row colour
0 199.977 0 29362
199.977 316.97 0 29362
316.97 450.85 0 29362
0.011837 100.6 1 15113984
100.6 296.193 1 15113984
296.193 442.962 1 15113984
0.017977 153.17 2 40563
153.17 274.407 2 40563
274.407 461.118 2 40563
EOD
set style fill solid 1.0
set grid xtics lc rgb '#EEEEEE'
set tics nomirror
set key outside top center horizontal
set lmargin 30
do for [format in "png svg"] {
  if (format eq "png") { set terminal pngcairo size 1200,424 font "DejaVu Sans,10" } else { set terminal svg size 1200,424 font "DejaVu Sans,10" dynamic }
  set output sprintf("timeline-fork-cpu.%s", format)
  set multiplot layout 1,1 title "Measured timeline: fork, scenario cpu"
  set title "fork: WORK 100000 0 16, three clients"
  set yrange [5.5:-0.5]
  set xrange [0:470.341]
  set ytics ("client 1 (request to reply)" 0, "client 2 (request to reply)" 1, "client 3 (request to reply)" 2, "server: child process 27818" 3, "server: child process 27817" 4, "server: child process 27819" 5)
  set xlabel "time since the first request was sent (ms)"
  plot $chart0 using (($1+$2)/2):3:1:2:($3-0.36):($3+0.36):4 with boxxyerror fs solid 1.0 noborder lc rgb variable notitle, \
       $chart0_requests using (($1+$2)/2):3:1:2:($3-0.36):($3+0.36):4 with boxxyerror fs transparent solid 0.45 noborder lc rgb variable notitle, \
       keyentry with boxes fs solid lc rgb "#9A9A9A" title "waiting (no CPU)", \
       keyentry with boxes fs solid lc rgb "#DDDDDD" title "waiting for any client"
  unset multiplot
  set output
}

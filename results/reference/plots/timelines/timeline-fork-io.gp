# timeline-fork-io: drawn by lab-plot timeline from measured traces. Each box is a span:
# coloured by the client it served, gray where the thread waited; the pale boxes
# are each client's requests from send to reply. Run `gnuplot timeline-fork-io.gp` to redraw.
$chart0 << EOD
# start_ms end_ms row colour
2.34239 2.34394 5 15113984
2.34436 102.471 5 10132122
102.507 102.508 5 15113984
102.509 202.666 5 10132122
202.696 202.759 5 10132122
202.763 202.764 5 15113984
202.764 302.898 5 10132122
302.945 303.156 5 10132122
303.177 303.179 5 10132122
2.13665 2.13851 3 29362
2.13935 102.271 3 10132122
102.35 102.381 3 10132122
102.387 102.388 3 29362
102.389 202.755 3 10132122
202.77 202.806 3 10132122
202.808 202.81 3 29362
202.81 302.959 3 10132122
302.97 303.05 3 10132122
303.108 303.11 3 10132122
2.32258 2.32404 4 40563
2.32425 102.458 4 10132122
102.492 102.494 4 40563
102.494 202.531 4 10132122
202.73 202.733 4 10132122
202.74 202.741 4 40563
202.742 302.89 4 10132122
302.945 303.03 4 10132122
303.625 303.628 4 10132122
EOD
$chart0_requests << EOD
# start_ms end_ms row colour
0 102.368 0 29362
102.368 202.77 0 29362
202.77 303.022 0 29362
0.01352 102.501 1 15113984
102.501 202.745 1 15113984
202.745 302.971 1 15113984
0.019629 102.481 2 40563
102.481 202.722 2 40563
202.722 302.998 2 40563
EOD
set style fill solid 1.0
set grid xtics lc rgb '#EEEEEE'
set tics nomirror
set key outside top center horizontal
set lmargin 30
do for [format in "png svg"] {
  if (format eq "png") { set terminal pngcairo size 1200,424 font "DejaVu Sans,10" } else { set terminal svg size 1200,424 font "DejaVu Sans,10" dynamic }
  set output sprintf("timeline-fork-io.%s", format)
  set multiplot layout 1,1 title "Measured timeline: fork, scenario io"
  set title "fork: WORK 0 100 16, three clients"
  set yrange [5.5:-0.5]
  set xrange [0:309.082]
  set ytics ("client 1 (request to reply)" 0, "client 2 (request to reply)" 1, "client 3 (request to reply)" 2, "server: child process 24361" 3, "server: child process 24363" 4, "server: child process 24362" 5)
  set xlabel "time since the first request was sent (ms)"
  plot $chart0 using (($1+$2)/2):3:1:2:($3-0.36):($3+0.36):4 with boxxyerror fs solid 1.0 noborder lc rgb variable notitle, \
       $chart0_requests using (($1+$2)/2):3:1:2:($3-0.36):($3+0.36):4 with boxxyerror fs transparent solid 0.45 noborder lc rgb variable notitle, \
       keyentry with boxes fs solid lc rgb "#9A9A9A" title "waiting (no CPU)", \
       keyentry with boxes fs solid lc rgb "#DDDDDD" title "waiting for any client"
  unset multiplot
  set output
}

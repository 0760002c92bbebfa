# timeline-sequential-io: drawn by lab-plot timeline from measured traces. Each box is a span:
# coloured by the client it served, gray where the thread waited; the pale boxes
# are each client's requests from send to reply. Run `gnuplot timeline-sequential-io.gp` to redraw.
$chart0 << EOD
# start_ms end_ms row colour
0 0.025858 3 10132122
0.032748 0.034551 3 29362
0.036173 100.19 3 10132122
100.265 100.328 3 10132122
100.334 100.335 3 29362
100.336 200.496 3 10132122
200.574 200.576 3 29362
200.577 300.711 3 10132122
300.768 300.829 3 10132122
300.87 300.872 3 10132122
300.917 300.918 3 15113984
300.919 400.998 3 10132122
401.08 401.082 3 15113984
401.083 501.226 3 10132122
501.29 501.342 3 10132122
501.347 501.349 3 15113984
501.368 601.546 3 10132122
601.673 601.675 3 10132122
601.731 601.733 3 40563
601.734 701.81 3 10132122
701.933 701.935 3 40563
701.936 802.085 3 10132122
802.143 802.191 3 10132122
802.196 802.197 3 40563
802.198 902.395 3 10132122
902.617 902.62 3 10132122
EOD
$chart0_requests << EOD
# start_ms end_ms row colour
0 100.311 0 29362
100.311 200.552 0 29362
200.552 300.795 0 29362
0.041581 401.063 1 15113984
401.063 501.318 1 15113984
501.318 601.614 1 15113984
0.048832 701.914 2 40563
701.914 802.17 2 40563
802.17 902.461 2 40563
EOD
set style fill solid 1.0
set grid xtics lc rgb '#EEEEEE'
set tics nomirror
set key outside top center horizontal
set lmargin 30
do for [format in "png svg"] {
  if (format eq "png") { set terminal pngcairo size 1200,356 font "DejaVu Sans,10" } else { set terminal svg size 1200,356 font "DejaVu Sans,10" dynamic }
  set output sprintf("timeline-sequential-io.%s", format)
  set multiplot layout 1,1 title "Measured timeline: sequential, scenario io"
  set title "sequential: WORK 0 100 16, three clients"
  set yrange [3.5:-0.5]
  set xrange [0:920.51]
  set ytics ("client 1 (request to reply)" 0, "client 2 (request to reply)" 1, "client 3 (request to reply)" 2, "server: main: accept loop" 3)
  set xlabel "time since the first request was sent (ms)"
  plot $chart0 using (($1+$2)/2):3:1:2:($3-0.36):($3+0.36):4 with boxxyerror fs solid 1.0 noborder lc rgb variable notitle, \
       $chart0_requests using (($1+$2)/2):3:1:2:($3-0.36):($3+0.36):4 with boxxyerror fs transparent solid 0.45 noborder lc rgb variable notitle, \
       keyentry with boxes fs solid lc rgb "#9A9A9A" title "waiting (no CPU)", \
       keyentry with boxes fs solid lc rgb "#DDDDDD" title "waiting for any client"
  unset multiplot
  set output
}

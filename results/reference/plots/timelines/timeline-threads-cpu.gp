# timeline-threads-cpu: drawn by lab-plot timeline from measured traces. Each box is a span:
# coloured by the client it served, gray where the thread waited; the pale boxes
# are each client's requests from send to reply. Run `gnuplot timeline-threads-cpu.gp` to redraw.
$chart0 << EOD
# start_ms end_ms row colour
0.138966 100.352 3 15113984
100.446 266.316 3 15113984
266.377 266.424 3 10132122
266.429 366.567 3 15113984
366.639 366.727 3 10132122
366.755 366.757 3 10132122
0.148775 201.199 4 29362
201.256 201.262 4 10132122
201.268 385.076 4 29362
385.128 385.17 4 10132122
385.174 485.296 4 29362
485.368 485.515 4 10132122
485.587 485.59 4 10132122
0.85134 155.028 5 40563
155.155 270.588 5 40563
270.613 270.65 5 10132122
270.653 419.642 5 40563
419.792 419.796 5 10132122
EOD
$chart0_requests << EOD
# start_ms end_ms row colour
0 201.255 0 29362
201.255 385.152 0 29362
385.152 485.424 0 29362
0.012548 100.429 1 15113984
100.429 266.402 1 15113984
266.402 366.688 1 15113984
0.018597 155.133 2 40563
155.133 270.616 2 40563
270.616 419.72 2 40563
EOD
set style fill solid 1.0
set grid xtics lc rgb '#EEEEEE'
set tics nomirror
set key outside top center horizontal
set lmargin 30
do for [format in "png svg"] {
  if (format eq "png") { set terminal pngcairo size 1200,424 font "DejaVu Sans,10" } else { set terminal svg size 1200,424 font "DejaVu Sans,10" dynamic }
  set output sprintf("timeline-threads-cpu.%s", format)
  set multiplot layout 1,1 title "Measured timeline: threads, scenario cpu"
  set title "threads: WORK 100000 0 16, three clients"
  set yrange [5.5:-0.5]
  set xrange [0:495.133]
  set ytics ("client 1 (request to reply)" 0, "client 2 (request to reply)" 1, "client 3 (request to reply)" 2, "server: client thread 1" 3, "server: client thread 0" 4, "server: client thread 2" 5)
  set xlabel "time since the first request was sent (ms)"
  plot $chart0 using (($1+$2)/2):3:1:2:($3-0.36):($3+0.36):4 with boxxyerror fs solid 1.0 noborder lc rgb variable notitle, \
       $chart0_requests using (($1+$2)/2):3:1:2:($3-0.36):($3+0.36):4 with boxxyerror fs transparent solid 0.45 noborder lc rgb variable notitle, \
       keyentry with boxes fs solid lc rgb "#9A9A9A" title "waiting (no CPU)", \
       keyentry with boxes fs solid lc rgb "#DDDDDD" title "waiting for any client"
  unset multiplot
  set output
}

# timeline-threads-cpu: drawn by lab-plot timeline from measured traces. Each box is a span.
# Server rows: CPU work in the colour of the client it served, a wait for a client's
# task in a lighter tint of that colour, a wait for any client in gray. Client rows:
# each request hatched from its send until the server first worked on it, then filled
# until the reply. Run `gnuplot timeline-threads-cpu.gp` to redraw.
$chart0 << EOD
# start_ms end_ms row colour
0.138966 100.352 3 15113984
100.446 266.316 3 15113984
266.377 266.424 3 16112025
266.429 366.567 3 15113984
366.639 366.727 3 16112025
366.755 366.757 3 16112025
0.148775 201.199 4 29362
201.256 201.262 4 10078176
201.268 385.076 4 29362
385.128 385.17 4 10078176
385.174 485.296 4 29362
485.368 485.515 4 10078176
485.587 485.59 4 10078176
0.85134 155.028 5 40563
155.155 270.588 5 40563
270.613 270.65 5 10082503
270.653 419.642 5 40563
419.792 419.796 5 10082503
EOD
$chart0_served << EOD
# start_ms end_ms row colour
0.148775 201.255 0 29362
201.256 385.152 0 29362
385.152 485.424 0 29362
0.138966 100.429 1 15113984
100.446 266.402 1 15113984
266.402 366.688 1 15113984
0.85134 155.133 2 40563
155.155 270.616 2 40563
270.616 419.72 2 40563
EOD
$chart0_waiting << EOD
# start_ms end_ms row colour
0 0.148775 0 29362
201.255 201.256 0 29362
385.152 385.152 0 29362
0.012548 0.138966 1 15113984
100.429 100.446 1 15113984
266.402 266.402 1 15113984
0.018597 0.85134 2 40563
155.133 155.155 2 40563
270.616 270.616 2 40563
EOD
$chart0_unsplit << EOD
# start_ms end_ms row colour
EOD
set style fill solid 1.0
set grid xtics lc rgb '#EEEEEE'
set tics nomirror
set key outside top center vertical maxrows 3
set lmargin 30
do for [format in "png svg"] {
  if (format eq "png") { set terminal pngcairo size 1200,474 font "DejaVu Sans,10" } else { set terminal svg size 1200,474 font "DejaVu Sans,10" dynamic }
  set output sprintf("timeline-threads-cpu.%s", format)
  set multiplot layout 1,1 title "Measured timeline: threads, scenario cpu"
  set title "threads: WORK 100000 0 16, three clients"
  set yrange [5.5:-0.5]
  set xrange [0:495.133]
  set ytics ("client 1 (request to reply)" 0, "client 2 (request to reply)" 1, "client 3 (request to reply)" 2, "server: client thread 1" 3, "server: client thread 0" 4, "server: client thread 2" 5)
  set xlabel "time since the first request was sent (ms)"
  plot $chart0 using (($1+$2)/2):3:1:2:($3-0.36):($3+0.36):4 with boxxyerror fs solid 1.0 noborder lc rgb variable notitle, \
       $chart0_served using (($1+$2)/2):3:1:2:($3-0.36):($3+0.36):4 with boxxyerror fs transparent solid 0.700000 noborder lc rgb variable notitle, \
       $chart0_waiting using (($1+$2)/2):($4==29362?$3:NaN):1:2:($3-0.36):($3+0.36) with boxxyerror fs transparent pattern 4 border lc rgb "#0072B2" lc rgb "#0072B2" notitle, \
       $chart0_waiting using (($1+$2)/2):($4==15113984?$3:NaN):1:2:($3-0.36):($3+0.36) with boxxyerror fs transparent pattern 4 border lc rgb "#E69F00" lc rgb "#E69F00" notitle, \
       $chart0_waiting using (($1+$2)/2):($4==40563?$3:NaN):1:2:($3-0.36):($3+0.36) with boxxyerror fs transparent pattern 4 border lc rgb "#009E73" lc rgb "#009E73" notitle, \
       keyentry with boxes fs solid 1.0 lc rgb "#0072B2" title "server: CPU for a client (its colour)", \
       keyentry with boxes fs solid 1.0 lc rgb "#99C7E0" title "server: waiting on a client (its tint)", \
       keyentry with boxes fs solid 1.0 lc rgb "#DDDDDD" title "server: waiting for any client", \
       keyentry with boxes fs transparent pattern 4 border lc rgb "#0072B2" lc rgb "#0072B2" title "request: waiting to be served", \
       keyentry with boxes fs transparent solid 0.700000 noborder lc rgb "#0072B2" title "request: being served"
  unset multiplot
  set output
}

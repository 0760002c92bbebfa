# timeline-fork-io: drawn by lab-plot timeline from measured traces. Each box is a span.
# Server rows: CPU work in the colour of the client it served, a wait for a client's
# task in a lighter tint of that colour, a wait for any client in gray. Client rows:
# each request hatched from its send until the server first worked on it, then filled
# until the reply. Run `gnuplot timeline-fork-io.gp` to redraw.
$chart0 << EOD
# start_ms end_ms row colour
0.530929 0.532331 5 40563
0.532451 100.663 5 10082503
100.768 100.772 5 10082503
100.78 100.781 5 40563
100.782 201.103 5 10082503
201.122 201.158 5 10082503
201.163 201.164 5 40563
201.165 301.261 5 10082503
301.32 301.478 5 10082503
302.09 302.093 5 10082503
0.376249 0.378913 3 15113984
0.379534 100.552 3 16112025
100.635 100.669 3 16112025
100.674 100.675 3 15113984
100.676 200.894 3 16112025
201.024 201.026 3 15113984
201.027 301.339 3 16112025
301.35 301.549 3 16112025
301.572 301.574 3 16112025
0.430249 0.431741 4 29362
0.432613 100.797 4 10078176
100.823 100.86 4 10078176
100.862 100.863 4 29362
100.864 201.002 4 10078176
201.085 201.131 4 10078176
201.14 201.141 4 29362
201.142 301.564 4 10078176
301.586 301.61 4 10078176
301.651 301.68 4 10078176
EOD
$chart0_served << EOD
# start_ms end_ms row colour
0.430249 100.848 0 29362
100.848 201.1 0 29362
201.1 301.596 0 29362
0.376249 100.655 1 15113984
100.655 200.996 1 15113984
201.024 301.511 1 15113984
0.530929 100.766 2 40563
100.768 201.135 2 40563
201.135 301.378 2 40563
EOD
$chart0_waiting << EOD
# start_ms end_ms row colour
0 0.430249 0 29362
100.848 100.848 0 29362
201.1 201.1 0 29362
0.012409 0.376249 1 15113984
100.655 100.655 1 15113984
200.996 201.024 1 15113984
0.018377 0.530929 2 40563
100.766 100.768 2 40563
201.135 201.135 2 40563
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
  set output sprintf("timeline-fork-io.%s", format)
  set multiplot layout 1,1 title "Measured timeline: fork, scenario io"
  set title "fork: WORK 0 100 16, three clients"
  set yrange [5.5:-0.5]
  set xrange [0:307.628]
  set ytics ("client 1 (request to reply)" 0, "client 2 (request to reply)" 1, "client 3 (request to reply)" 2, "server: child process 27823" 3, "server: child process 27822" 4, "server: child process 27824" 5)
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

# timeline-sequential-cpu: drawn by lab-plot timeline from measured traces. Each box is a span.
# Server rows: CPU work in the colour of the client it served, a wait for a client's
# task in a lighter tint of that colour, a wait for any client in gray. Client rows:
# each request hatched from its send until the server first worked on it, then filled
# until the reply. Run `gnuplot timeline-sequential-cpu.gp` to redraw.
$chart0 << EOD
# start_ms end_ms row colour
0 0.030275 3 10078176
0.034901 100.104 3 29362
100.185 100.255 3 10078176
100.261 200.285 3 29362
200.349 200.462 3 10078176
200.468 300.47 3 29362
300.541 300.677 3 10078176
300.727 300.729 3 10078176
300.78 400.793 3 15113984
400.853 400.889 3 16112025
400.894 500.896 3 15113984
500.963 501.095 3 16112025
501.1 601.159 3 15113984
601.224 601.367 3 16112025
601.396 601.398 3 16112025
601.446 701.449 3 40563
701.547 701.674 3 10082503
701.681 801.736 3 40563
801.792 801.876 3 10082503
801.881 901.901 3 40563
901.971 902.13 3 10082503
902.16 902.162 3 10082503
902.22 902.222 3 14540253
EOD
$chart0_served << EOD
# start_ms end_ms row colour
0 100.207 0 29362
100.207 200.419 0 29362
200.419 300.619 0 29362
300.78 400.858 1 15113984
400.858 501.042 1 15113984
501.042 601.306 1 15113984
601.446 701.613 2 40563
701.613 801.825 2 40563
801.825 902.07 2 40563
EOD
$chart0_waiting << EOD
# start_ms end_ms row colour
0 0 0 29362
100.207 100.207 0 29362
200.419 200.419 0 29362
0.021872 300.78 1 15113984
400.858 400.858 1 15113984
501.042 501.042 1 15113984
0.028742 601.446 2 40563
701.613 701.613 2 40563
801.825 801.825 2 40563
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
  if (format eq "png") { set terminal pngcairo size 1200,406 font "DejaVu Sans,10" } else { set terminal svg size 1200,406 font "DejaVu Sans,10" dynamic }
  set output sprintf("timeline-sequential-cpu.%s", format)
  set multiplot layout 1,1 title "Measured timeline: sequential, scenario cpu"
  set title "sequential: WORK 100000 0 16, three clients"
  set yrange [3.5:-0.5]
  set xrange [0:920.111]
  set ytics ("client 1 (request to reply)" 0, "client 2 (request to reply)" 1, "client 3 (request to reply)" 2, "server: main: accept loop" 3)
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

module kdiag.local/cluster/small

go 1.25.0

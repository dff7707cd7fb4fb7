module medallion/bundleinit

go 1.19

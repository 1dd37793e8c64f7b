"""libjpeg(-turbo)'s integer encoder, emulated exactly in numpy: colour conversion (jccolor.c), edge
replication and chroma downsampling (jcprepct.c, jcsample.c), the islow forward DCT (jfdctint.c) and
quantization (jcdctmgr.c). Written from the algorithm's description and its documented constants; see
docs/verification.md for what it covers and what it does not (libjpeg 7+'s scaled-DCT chroma, mozjpeg)."""

"""libjpeg's encoders, emulated exactly in numpy: colour conversion (jccolor.c), edge replication and chroma
downsampling (jcprepct.c, jcsample.c), the islow, ifast and float forward DCTs (jfdctint.c, jfdctfst.c,
jfdctflt.c) with their quantization (jcdctmgr.c), and IJG libjpeg 7-9's scaled DCTs of full-resolution
chroma (jfdctint.c's 16×16, 16×8, 8×16). Written from the algorithms' descriptions and documented constants,
checked against jpeglib's builds; see docs/verification.md for what they cover and what they do not."""

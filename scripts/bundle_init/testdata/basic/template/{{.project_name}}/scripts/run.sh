#!/bin/sh
echo "run {{.project_name}}"

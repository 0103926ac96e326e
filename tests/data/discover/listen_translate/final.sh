# From CKRC24/Listen-and-Translate @ 41f0f6705017a7fa7df44d818ace87c661b3fa67, final.sh (excerpt).
python3 src/retrieval_predict.py $1

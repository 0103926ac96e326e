% From RezaSadeghiWSU/Early-Hospital-Mortality-Prediction-using-Vital-Signals @ 6aa8e6919d3ed05f89b04481c5cc89288f7e9a74, Classification/Main.m (excerpt).
load('HRRepository_OneHour.mat')
[DTAccuracy, DTAUC] = DecisionTree(Data);
disp('Accuracy of transparent classifiers')
disp(DTAccuracy)

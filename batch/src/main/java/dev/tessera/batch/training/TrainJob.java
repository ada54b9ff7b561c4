package dev.tessera.batch.training;

import static org.apache.spark.sql.functions.col;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.tessera.batch.BatchSettings;
import dev.tessera.batch.Summary;
import dev.tessera.batch.signal.SignalEmitter;
import dev.tessera.batch.signal.WorkflowSignal;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.classification.LogisticRegression;
import org.apache.spark.ml.evaluation.BinaryClassificationEvaluator;
import org.apache.spark.ml.feature.StandardScaler;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StructField;

/**
 * Trains a logistic regression (Spark MLlib) on the training set's {@code train} split, with every
 * numeric member and title feature (nulls as 0, standardized; map features and the label's
 * {@code member_id} / {@code title_id} keys are left out), evaluates
 * the area under the ROC curve on {@code validation}, saves the pipeline model and {@code
 * metrics.json} beside it, and emits {@code model_trained}.
 */
public final class TrainJob {
  private TrainJob() {}

  /** The job's outcome. */
  public record Result(double auc, long trainRows, long validationRows, List<String> features,
      WorkflowSignal signal) {}

  public static Result run(
      SparkSession spark, BatchSettings settings, String input, String runIdOverride,
      Summary summary) {
    Dataset<Row> set = spark.read().parquet(input);
    List<String> features = new ArrayList<>();
    for (StructField f : set.schema().fields()) {
      boolean feature = (f.name().startsWith(TrainingSet.MEMBER_PREFIX)
          || f.name().startsWith(TrainingSet.TITLE_PREFIX))
          && !f.name().endsWith("as_of") && !f.name().endsWith("max_ingested_at")
          && f.dataType() instanceof NumericType;
      if (feature) {
        features.add(f.name());
      }
    }
    Dataset<Row> numeric = set;
    for (String f : features) {
      numeric = numeric.withColumn(f, col(f).cast("double"));
    }
    numeric = numeric.na().fill(0.0, features.toArray(new String[0]))
        .withColumn(Labels.LABEL, col(Labels.LABEL).cast("double"));
    Dataset<Row> train = numeric.where(col(TrainingSet.SPLIT).equalTo("train")).persist();
    Dataset<Row> validation = numeric.where(col(TrainingSet.SPLIT).equalTo("validation")).persist();
    long trainRows = train.count();
    long validationRows = validation.count();
    if (trainRows == 0 || validationRows == 0) {
      throw new IllegalArgumentException("the training set " + input + " has " + trainRows
          + " train and " + validationRows + " validation rows; both must be non-empty");
    }
    BatchSettings.Train t = settings.train();
    Pipeline pipeline = new Pipeline().setStages(new PipelineStage[] {
      new VectorAssembler().setInputCols(features.toArray(new String[0])).setOutputCol("raw"),
      new StandardScaler().setInputCol("raw").setOutputCol("features"),
      new LogisticRegression().setLabelCol(Labels.LABEL).setFeaturesCol("features")
          .setMaxIter(t.maxIterations()).setRegParam(t.regularization())
    });
    PipelineModel model = pipeline.fit(train);
    double auc = new BinaryClassificationEvaluator().setLabelCol(Labels.LABEL)
        .setRawPredictionCol("rawPrediction").setMetricName("areaUnderROC")
        .evaluate(model.transform(validation));
    String modelPath = Path.of(t.modelPath()).resolve("model").toString();
    try {
      model.write().overwrite().save(modelPath);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot save the model to " + modelPath, e);
    }
    train.unpersist();
    validation.unpersist();

    Path metricsPath = Path.of(t.modelPath()).resolve("metrics.json");
    Map<String, Object> metrics = new LinkedHashMap<>();
    metrics.put("auc", auc);
    metrics.put("trainRows", trainRows);
    metrics.put("validationRows", validationRows);
    metrics.put("features", features);
    metrics.put("modelPath", modelPath);
    metrics.put("trainingSet", input);
    try {
      Files.createDirectories(metricsPath.getParent());
      Files.write(metricsPath,
          new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsBytes(metrics));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + metricsPath, e);
    }
    String group = settings.memberGroup().name();
    int version = settings.memberGroup().version();
    String runId = runIdOverride != null ? runIdOverride
        : WorkflowSignal.runId("train", group, "" + version, input, t.toString(),
            "" + trainRows, "" + validationRows);
    Map<String, Object> payload = new LinkedHashMap<>();
    payload.put("group", group);
    payload.put("version", version);
    payload.put("auc", auc);
    payload.put("trainRows", trainRows);
    payload.put("validationRows", validationRows);
    payload.put("modelPath", modelPath);
    payload.put("metricsPath", metricsPath.toString());
    WorkflowSignal signal = WorkflowSignal.of("model_trained", "batch/train", group, version, runId,
        payload, System.currentTimeMillis());
    SignalEmitter.emit(settings.kafka(), signal);
    summary.put("training set", input)
        .put("features", features.size())
        .put("train / validation rows", trainRows + " / " + validationRows)
        .put("validation AUC", String.format("%.4f", auc))
        .put("model", modelPath)
        .put("metrics", metricsPath)
        .put("signal", signal.id());
    return new Result(auc, trainRows, validationRows, features, signal);
  }
}

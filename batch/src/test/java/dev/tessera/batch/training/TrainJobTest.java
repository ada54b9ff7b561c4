package dev.tessera.batch.training;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigFactory;
import dev.tessera.batch.BatchSettings;
import dev.tessera.batch.Summary;
import dev.tessera.batch.testkit.TestSettings;
import dev.tessera.batch.testkit.SparkTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The train job on a small training set with the training-set job's columns, whose label depends
 * on two features through noise (separable-ish): a real logistic regression, a real validation AUC,
 * the saved model, {@code metrics.json} and the {@code model_trained} payload.
 */
class TrainJobTest extends SparkTest {
  static final StructType SET =
      new StructType()
          .add(Labels.LABEL_ID, DataTypes.LongType, false)
          .add("member_id", DataTypes.StringType, false)
          .add(Labels.LABEL, DataTypes.IntegerType, false)
          .add(TrainingSet.SPLIT, DataTypes.StringType, false)
          .add("member_as_of", DataTypes.LongType, false)
          .add("member_max_ingested_at", DataTypes.LongType, true)
          .add("member_plays_24h", DataTypes.LongType, true)
          .add("member_ctr_1h", DataTypes.DoubleType, true)
          .add("member_genre_share_7d",
              DataTypes.createMapType(DataTypes.StringType, DataTypes.DoubleType), true)
          .add("title_as_of", DataTypes.LongType, false)
          .add("title_plays_24h", DataTypes.LongType, true);


  @Test
  void trainsOnTheTrainSplitAndReportsARealValidationAuc(@TempDir Path dir) throws Exception {
    Random random = new Random(11);
    List<Row> rows = new ArrayList<>();
    for (long id = 0; id < 600; id++) {
      double plays = random.nextInt(20);
      double ctr = random.nextDouble();
      double score = 0.4 * (plays - 10) + 3 * (ctr - 0.5) + random.nextGaussian() * 1.5;
      int label = score > 0 ? 1 : 0;
      String split = id % 10 < 7 ? "train" : id % 10 < 9 ? "validation" : "test";
      rows.add(RowFactory.create(id, "m-" + (id % 37), label, split, 1000L + id, 999L + id,
          (long) plays, id % 13 == 0 ? null : ctr,
          scala.collection.immutable.Map$.MODULE$.empty(), 1000L + id, (long) random.nextInt(5)));
    }
    String input = dir.resolve("training-set").toString();
    spark.createDataFrame(rows, SET).write().mode(SaveMode.Overwrite).partitionBy(TrainingSet.SPLIT)
        .parquet(input);
    // 10 iterations (default 50) keep the test short; L-BFGS is well converged on 3 features
    BatchSettings settings = BatchSettings.create(ConfigFactory.parseMap(Map.of(
            "tessera.batch.kafka.emit-signals", false,
            "tessera.batch.train.max-iterations", 10))
        .withFallback(TestSettings.config("127.0.0.1:1", "", dir)));

    TrainJob.Result result = TrainJob.run(spark, settings, input, null, new Summary("train"));

    assertThat(result.trainRows()).isEqualTo(420);
    assertThat(result.validationRows()).isEqualTo(120);
    assertThat(result.features())
        .containsExactlyInAnyOrder("member_plays_24h", "member_ctr_1h", "title_plays_24h");
    assertThat(result.auc()).as("validation AUC").isGreaterThan(0.75).isLessThanOrEqualTo(1.0);

    Path model = dir.resolve("model").resolve("model");
    assertThat(model.resolve("metadata")).isDirectory();
    assertThat(model.resolve("stages")).isDirectory();
    PipelineModel loaded = PipelineModel.load(model.toString());
    assertThat(loaded.stages()).hasSize(3);

    JsonNode metrics = new ObjectMapper().readTree(dir.resolve("model/metrics.json").toFile());
    assertThat(metrics.get("auc").asDouble()).isEqualTo(result.auc());
    assertThat(metrics.get("trainRows").asLong()).isEqualTo(420);
    assertThat(metrics.get("validationRows").asLong()).isEqualTo(120);
    assertThat(metrics.get("features")).hasSize(3);

    assertThat(result.signal().name()).isEqualTo("model_trained");
    assertThat(result.signal().id()).startsWith("model_trained/member_engagement/1/");
    assertThat(result.signal().joinKeys())
        .isEqualTo(Map.of("group", "member_engagement", "version", "1"));
    Map<String, Object> payload = result.signal().payload();
    assertThat(payload).containsOnlyKeys("group", "version", "auc", "trainRows", "validationRows",
        "modelPath", "metricsPath");
    assertThat(payload.get("group")).isEqualTo("member_engagement");
    assertThat(payload.get("version")).isEqualTo(1);
    assertThat(payload.get("auc")).isEqualTo(result.auc());
    assertThat(payload.get("trainRows")).isEqualTo(420L);
    assertThat(payload.get("validationRows")).isEqualTo(120L);
    assertThat(payload.get("modelPath")).isEqualTo(model.toString());
    assertThat(Files.exists(Path.of((String) payload.get("metricsPath")))).isTrue();
    JsonNode json = new ObjectMapper().readTree(result.signal().toJson());
    assertThat(json.at("/payload/auc").asDouble()).isEqualTo(result.auc());
  }
}

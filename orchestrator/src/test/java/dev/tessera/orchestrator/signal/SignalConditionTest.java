package dev.tessera.orchestrator.signal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tessera.orchestrator.signal.SignalCondition.Op;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SignalConditionTest {

  private static Signal featuresReady(Map<String, Object> payload) {
    return new Signal("s-1", "features_ready", 1L, "test", Map.of(), payload);
  }

  @Test
  void parsesTheIssueExampleAndMatchesOnNameAndEveryPredicate() {
    SignalCondition condition =
        SignalCondition.parse("features_ready where group == member_engagement and rows > 1000");

    assertThat(condition.name()).isEqualTo("features_ready");
    assertThat(condition.predicates()).hasSize(2);
    assertThat(condition.matches(featuresReady(Map.of("group", "member_engagement", "rows", 12345))))
        .isTrue();
    assertThat(condition.matches(featuresReady(Map.of("group", "member_engagement", "rows", 1000))))
        .as("rows > 1000 is strict").isFalse();
    assertThat(condition.matches(featuresReady(Map.of("group", "other", "rows", 5000)))).isFalse();
    assertThat(condition.matches(new Signal("s-2", "model_trained", 1, "test", Map.of(),
        Map.of("group", "member_engagement", "rows", 12345)))).isFalse();
  }

  @Test
  void theBuilderGivesTheSameConditionAsTheParser() {
    SignalCondition built = SignalCondition.on("features_ready")
        .where("group", Op.EQ, "member_engagement").where("rows", Op.GT, 1000).build();

    assertThat(built).isEqualTo(
        SignalCondition.parse("features_ready where group == member_engagement and rows > 1000"));
  }

  @Test
  void everyOperatorComparesNumbersNumerically() {
    Signal signal = featuresReady(Map.of("auc", 0.75, "rows", 10L));
    assertThat(SignalCondition.parse("features_ready where auc >= 0.75").matches(signal)).isTrue();
    assertThat(SignalCondition.parse("features_ready where auc > 0.75").matches(signal)).isFalse();
    assertThat(SignalCondition.parse("features_ready where auc <= 0.75").matches(signal)).isTrue();
    assertThat(SignalCondition.parse("features_ready where auc < 0.8").matches(signal)).isTrue();
    assertThat(SignalCondition.parse("features_ready where auc == 0.750").matches(signal)).isTrue();
    assertThat(SignalCondition.parse("features_ready where auc != 0.75").matches(signal)).isFalse();
    // 10 > 9 numerically although "10" < "9" as text
    assertThat(SignalCondition.parse("features_ready where rows > 9").matches(signal)).isTrue();
    assertThat(SignalCondition.parse("features_ready where rows > 1e1").matches(signal)).isFalse();
  }

  @Test
  void textValuesQuotedOrBareCompareAsText() {
    Signal signal = featuresReady(Map.of("path", "s3://bucket/a b", "version", 1, "stage", "b"));
    assertThat(SignalCondition.parse("features_ready where path == 's3://bucket/a b'")
        .matches(signal)).isTrue();
    assertThat(SignalCondition.parse("features_ready where version == '1'").matches(signal))
        .as("a text value against a number compares the number's text").isTrue();
    assertThat(SignalCondition.parse("features_ready where stage > a").matches(signal)).isTrue();
    assertThat(SignalCondition.parse("features_ready where stage != b").matches(signal)).isFalse();
  }

  @Test
  void aMissingFieldNeverSatisfiesAPredicateNotEvenNotEquals() {
    Signal signal = featuresReady(Map.of("rows", 5));
    assertThat(SignalCondition.parse("features_ready where group != x").matches(signal)).isFalse();
    assertThat(SignalCondition.parse("features_ready where rows > abc").matches(signal))
        .as("text comparison of 5 with abc").isFalse();
    assertThat(SignalCondition.parse("features_ready where group == x").matches(signal)).isFalse();
  }

  @Test
  void dottedFieldsLookIntoNestedMaps() {
    Signal signal = featuresReady(Map.of("metrics", Map.of("auc", 0.9)));
    assertThat(SignalCondition.parse("features_ready where metrics.auc > 0.8").matches(signal))
        .isTrue();
    assertThat(SignalCondition.parse("features_ready where metrics.loss > 0.8").matches(signal))
        .isFalse();
  }

  @Test
  void aNumericPredicateAgainstNonNumericTextIsFalse() {
    Signal signal = featuresReady(Map.of("rows", "many"));
    assertThat(SignalCondition.parse("features_ready where rows > 1").matches(signal)).isFalse();
    assertThat(SignalCondition.parse("features_ready where rows != 1").matches(signal)).isFalse();
  }

  @Test
  void aBareNameMatchesEverySignalOfThatName() {
    assertThat(SignalCondition.parse("features_ready").matches(featuresReady(Map.of()))).isTrue();
    assertThat(SignalCondition.parse("  features_ready  ").predicates()).isEmpty();
  }

  @Test
  void renderIsParsedBackToTheSameCondition() {
    SignalCondition condition = SignalCondition.parse(
        "canary_passed where modelId == \"m 1\" and p < 0.05 and path == s3://x/y and q == 'it\\'s'");
    assertThat(SignalCondition.parse(condition.render())).isEqualTo(condition);
    assertThat(condition.predicates().get(3).value()).isEqualTo("it's");
  }

  @Test
  void malformedConditionsAreRefusedWithTheProblem() {
    assertThatThrownBy(() -> SignalCondition.parse("")).hasMessageContaining("signal name");
    assertThatThrownBy(() -> SignalCondition.parse("Features")).hasMessageContaining("must match");
    assertThatThrownBy(() -> SignalCondition.parse("features_ready rows > 1"))
        .hasMessageContaining("'where'");
    assertThatThrownBy(() -> SignalCondition.parse("features_ready where rows >"))
        .hasMessageContaining("<field> <op> <value>");
    assertThatThrownBy(() -> SignalCondition.parse("features_ready where rows ~ 1"))
        .hasMessageContaining("invalid signal condition");
    assertThatThrownBy(() -> SignalCondition.parse("features_ready where rows > 1 or x == 2"))
        .hasMessageContaining("'and'");
    assertThatThrownBy(() -> SignalCondition.parse("features_ready where rows > 'x"))
        .hasMessageContaining("invalid signal condition");
  }

  @Test
  void templatesResolveVariablesQuotingText() {
    SignalCondition condition = SignalCondition.resolve(
        "features_ready where group == ${group} and rows > ${min-rows}",
        Map.of("group", "it's", "min-rows", 1000));

    assertThat(condition.matches(featuresReady(Map.of("group", "it's", "rows", 1001)))).isTrue();
    assertThat(condition.matches(featuresReady(Map.of("group", "it's", "rows", 999)))).isFalse();
    assertThatThrownBy(() -> SignalCondition.resolve("x where a == ${missing}", Map.of()))
        .hasMessageContaining("missing");
  }
}

package dev.tessera.simulations.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LoadSettingsTest {
  @Test
  void defaultsAreTheGentleOnesAndBatchesMatchTheSingleReadsInMemberLookups() {
    LoadSettings settings = LoadSettings.create(Map.<String, String>of()::get);
    assertThat(settings.url()).isEqualTo("http://127.0.0.1:8080");
    assertThat(settings.rate()).isEqualTo(50);
    assertThat(settings.batchRate()).isEqualTo(0.5);
    assertThat(settings.memberIds()).hasSize(500).startsWith("m-000000").endsWith("m-000499");
    assertThat(settings.topics().raw()).isEqualTo("member-events");
  }

  @Test
  void readsEveryKeyAndPrefixesTheTopics() {
    LoadSettings settings = LoadSettings.create(Map.of(
        "tessera.load.url", "http://node:9000/",
        "tessera.load.rate", "2000",
        "tessera.load.member-ids", "m-000001, m-000002",
        "tessera.load.topic-prefix", "t1-",
        "tessera.load.max-p99-ms", "250")::get);
    assertThat(settings.url()).isEqualTo("http://node:9000");
    assertThat(settings.batchRate()).isEqualTo(20);
    assertThat(settings.memberIds()).containsExactly("m-000001", "m-000002");
    assertThat(settings.topics().raw()).isEqualTo("t1-member-events");
    assertThat(settings.topics().profiles()).isEqualTo("t1-member-profiles");
    assertThat(settings.maxP99Ms()).isEqualTo(250);
  }

  @Test
  void aWrongValueNamesItsPropertyAndItsEnvironmentVariable() {
    assertThatThrownBy(() -> LoadSettings.create(Map.of("tessera.load.max-p99-ms", "fast")::get))
        .hasMessage("tessera.load.max-p99-ms (TESSERA_LOAD_MAX_P99_MS) = fast is not a number");
    assertThatThrownBy(() -> LoadSettings.create(Map.of("tessera.load.batch-size", "501")::get))
        .hasMessageStartingWith("tessera.load.batch-size (TESSERA_LOAD_BATCH_SIZE) = 501 must be");
  }

  @Test
  void batchBodyIsJsonWithTheConfiguredNumberOfMembersAndTheGroup() throws Exception {
    LoadSettings settings = LoadSettings.create(Map.of("tessera.load.batch-size", "7")::get);
    JsonNode body = new ObjectMapper().readTree(Reads.batchBody(settings, new Random(1)));
    assertThat(body.path("memberIds")).hasSize(7);
    assertThat(body.path("memberIds").get(0).asText()).matches("m-\\d{6}");
    assertThat(body.path("groups").get(0).asText()).isEqualTo("member_engagement");
  }

  @Test
  void parsesTheNodesIngestCounterInEitherNumberForm() {
    assertThat(LiveEvents.parseIngested("# TYPE tessera_ingest_records_total counter\n"
        + "tessera_ingest_records_total 3000.0\n")).isEqualTo(3000);
    assertThat(LiveEvents.parseIngested("tessera_ingest_records_total 1.2345E7\n"))
        .isEqualTo(12_345_000);
  }
}

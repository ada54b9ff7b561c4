package dev.tessera.serving.features;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import dev.tessera.engine.definition.FeatureGroup;
import dev.tessera.engine.definition.FeatureRegistry;
import dev.tessera.serving.ServingSettings;
import dev.tessera.serving.http.ApiProblem;
import dev.tessera.serving.http.ErrorResponses;
import dev.tessera.serving.http.Json;
import dev.tessera.sharding.store.Lookup;
import dev.tessera.sharding.store.StoredSnapshot;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * Feature reads: {@code GET /v1/members/{memberId}/features?groups=a,b} and {@code POST
 * /v1/features/batch-get}. Every read is as of the request's arrival ({@code now}), served by the
 * {@link FeatureLookup} without blocking; see {@code serving-api/src/main/resources/openapi.yaml}.
 */
public final class FeatureRoutes extends AllDirectives {
  private final FeatureLookup lookup;
  private final List<String> allGroups;
  private final Set<String> knownGroups;
  private final ServingSettings settings;
  private final ErrorResponses errors;
  private final SampleLog samples;

  public FeatureRoutes(FeatureLookup lookup, FeatureRegistry registry, ServingSettings settings,
      ErrorResponses errors, SampleLog samples) {
    this.lookup = lookup;
    LinkedHashSet<String> names = new LinkedHashSet<>();
    for (FeatureGroup group : registry.all()) {
      names.add(group.name());
    }
    this.allGroups = List.copyOf(names);
    this.knownGroups = Set.copyOf(names);
    this.settings = settings;
    this.errors = errors;
    this.samples = samples;
  }

  /** {@code GET .../members/{memberId}/features}: the route below {@code /v1/members/{id}}. */
  public Route memberFeatures(String memberId) {
    return parameterOptional("groups", groups -> completeWithFuture(read(memberId, groups)));
  }

  /**
   * The answer to {@code GET /v1/members/{memberId}/features?groups=...}: the route above and the
   * server's direct path for this request ({@code MemberReadPath}) both answer with it.
   *
   * @param groups the {@code groups} query parameter, decoded; empty when absent
   */
  public CompletionStage<HttpResponse> read(String memberId, Optional<String> groups) {
    long now = System.currentTimeMillis();
    CompletionStage<HttpResponse> response;
    try {
      if (!MemberIds.isValid(memberId)) {
        throw invalidMember(memberId);
      }
      List<String> wanted = groups(groups);
      response = readMember(memberId, wanted, now, false)
          .thenApply(reads -> Json.response(StatusCodes.OK, json -> {
            writeMember(json, memberId, reads, now);
          }));
    } catch (ApiProblem problem) {
      response = CompletableFuture.completedFuture(errors.fromThrowable(problem));
    }
    return response.exceptionally(errors::fromThrowable);
  }

  /** {@code POST /v1/features/batch-get}. */
  public Route batchGet() {
    return extractStrictEntity(java.time.Duration.ofSeconds(5), settings.maxRequestBytes(),
        entity -> {
          long now = System.currentTimeMillis();
          CompletionStage<HttpResponse> response;
          try {
            BatchRequest request = BatchRequest.parse(entity.getData().toArray(),
                settings.batchMaxMembers());
            List<String> wanted = groups(request.groups());
            response = readBatch(request.memberIds(), wanted, now);
          } catch (ApiProblem problem) {
            response = CompletableFuture.completedFuture(errors.fromThrowable(problem));
          }
          return completeWithFuture(response.exceptionally(errors::fromThrowable));
        });
  }

  private CompletionStage<HttpResponse> readBatch(List<String> memberIds, List<String> groups,
      long now) {
    List<CompletableFuture<List<GroupRead>>> reads = new ArrayList<>(memberIds.size());
    for (String memberId : memberIds) {
      reads.add(MemberIds.isValid(memberId)
          ? readMember(memberId, groups, now, true).toCompletableFuture()
          : CompletableFuture.completedFuture(null));
    }
    return CompletableFuture.allOf(reads.toArray(CompletableFuture[]::new)).thenApply(done ->
        Json.response(StatusCodes.OK, json -> {
          json.writeStartObject();
          json.writeNumberField("servedAt", now);
          json.writeArrayFieldStart("results");
          for (int i = 0; i < memberIds.size(); i++) {
            List<GroupRead> memberReads = reads.get(i).join();
            if (memberReads == null) {
              json.writeStartObject();
              String id = memberIds.get(i);
              json.writeStringField("memberId", id.startsWith(BatchRequest.NOT_TEXT)
                  ? id.substring(1) : id);
              json.writeStringField("status", "INVALID_MEMBER_ID");
              json.writeObjectFieldStart("error");
              json.writeStringField("code", "INVALID_MEMBER_ID");
              json.writeStringField("message", "a member id is a string of 1-64 characters of "
                  + "[A-Za-z0-9_-]");
              json.writeEndObject();
              json.writeEndObject();
            } else {
              writeMemberBody(json, memberIds.get(i), memberReads, true);
            }
          }
          json.writeEndArray();
          json.writeEndObject();
        }));
  }

  /** All groups of one member; a timeout fails the whole read unless {@code tolerant}. */
  private CompletionStage<List<GroupRead>> readMember(String memberId, List<String> groups,
      long now, boolean tolerant) {
    if (groups.size() == 1) {
      return readGroup(memberId, groups.get(0), now, tolerant).thenApply(List::of);
    }
    List<CompletableFuture<GroupRead>> reads = new ArrayList<>(groups.size());
    for (String group : groups) {
      reads.add(readGroup(memberId, group, now, tolerant).toCompletableFuture());
    }
    return CompletableFuture.allOf(reads.toArray(CompletableFuture[]::new))
        .thenApply(done -> reads.stream().map(CompletableFuture::join).toList());
  }

  private CompletionStage<GroupRead> readGroup(String memberId, String group, long now,
      boolean tolerant) {
    CompletionStage<GroupRead> read = lookup.read(memberId, group, now).thenApply(result -> {
      if (result instanceof Lookup.Present present) {
        samples.served(present.snapshot(), now);
        return new GroupRead(group, GroupRead.Status.PRESENT, present.snapshot());
      }
      if (result instanceof Lookup.Expired expired) {
        return new GroupRead(group, GroupRead.Status.EXPIRED, expired.snapshot());
      }
      return new GroupRead(group, GroupRead.Status.NOT_FOUND, null);
    });
    if (!tolerant) {
      return read;
    }
    return read.exceptionally(failure -> new GroupRead(group, GroupRead.Status.UNAVAILABLE, null));
  }

  private List<String> groups(Optional<String> parameter) {
    if (parameter.isEmpty()) {
      return allGroups;
    }
    List<String> names = new ArrayList<>();
    for (String name : parameter.get().split(",", -1)) {
      names.add(name.trim());
    }
    return groups(names);
  }

  private List<String> groups(List<String> requested) {
    if (requested == null) {
      return allGroups;
    }
    LinkedHashSet<String> names = new LinkedHashSet<>();
    for (String name : requested) {
      if (name == null || name.isEmpty()) {
        throw ApiProblem.badRequest("INVALID_PARAMETER", "groups must be a comma-separated list "
            + "of feature group names, without empty entries", Map.of("parameter", "groups"));
      }
      if (!knownGroups.contains(name)) {
        throw ApiProblem.notFound("UNKNOWN_FEATURE_GROUP", "no feature group named '"
            + abbreviate(name) + "'", Map.of("group", abbreviate(name), "known", allGroups));
      }
      names.add(name);
    }
    if (names.isEmpty()) {
      return allGroups;
    }
    return List.copyOf(names);
  }

  private static ApiProblem invalidMember(String memberId) {
    return ApiProblem.badRequest("INVALID_MEMBER_ID",
        "a member id is 1-64 characters of [A-Za-z0-9_-]",
        Map.of("memberId", abbreviate(memberId == null ? "" : memberId)));
  }

  private static String abbreviate(String text) {
    return text.length() <= 80 ? text : text.substring(0, 77) + "...";
  }

  private static void writeMember(JsonGenerator json, String memberId, List<GroupRead> reads,
      long now) throws IOException {
    json.writeStartObject();
    json.writeStringField("memberId", memberId);
    json.writeNumberField("servedAt", now);
    writeGroups(json, reads);
    json.writeEndObject();
  }

  private static void writeMemberBody(JsonGenerator json, String memberId, List<GroupRead> reads,
      boolean withStatus) throws IOException {
    json.writeStartObject();
    json.writeStringField("memberId", memberId);
    if (withStatus) {
      json.writeStringField("status", "OK");
    }
    writeGroups(json, reads);
    json.writeEndObject();
  }

  private static void writeGroups(JsonGenerator json, List<GroupRead> reads) throws IOException {
    json.writeObjectFieldStart("groups");
    for (GroupRead read : reads) {
      json.writeObjectFieldStart(read.group());
      json.writeStringField("status", read.status().name());
      StoredSnapshot snapshot = read.snapshot();
      if (snapshot != null) {
        json.writeNumberField("groupVersion", snapshot.groupVersion());
        json.writeNumberField("snapshotVersion", snapshot.snapshotVersion());
        json.writeNumberField("asOf", snapshot.asOf());
        json.writeNumberField("watermark", snapshot.watermark());
        json.writeNumberField("expiresAt", snapshot.expiresAt());
        if (read.status() == GroupRead.Status.PRESENT) {
          json.writeObjectFieldStart("values");
          // forEach, not entrySet(): the store's compact map makes no entry object per value.
          snapshot.values().forEach((name, value) -> writeField(json, name, value));
          json.writeEndObject();
        }
      }
      json.writeEndObject();
    }
    json.writeEndObject();
  }

  private static void writeField(JsonGenerator json, String name, Object value) {
    try {
      json.writeFieldName(name);
      Json.writeValue(json, value);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The body of a batch read: {@code {"memberIds": [...], "groups": [...]}} (groups optional). */
  record BatchRequest(List<String> memberIds, List<String> groups) {
    static final String NOT_TEXT = "\u0000";

    static BatchRequest parse(byte[] body, int maxMembers) {
      JsonNode root;
      try {
        root = Json.MAPPER.readTree(body);
      } catch (IOException e) {
        throw ApiProblem.badRequest("MALFORMED_BODY", "the body is not valid JSON",
            Map.of());
      }
      if (root == null || !root.isObject()) {
        throw ApiProblem.badRequest("MALFORMED_BODY",
            "the body must be a JSON object {\"memberIds\": [...], \"groups\": [...]}", Map.of());
      }
      JsonNode ids = root.get("memberIds");
      if (ids == null || !ids.isArray()) {
        throw ApiProblem.badRequest("MISSING_FIELD", "memberIds must be an array of strings",
            Map.of("field", "memberIds"));
      }
      if (ids.size() > maxMembers) {
        throw ApiProblem.tooLarge("BATCH_TOO_LARGE", "at most " + maxMembers
            + " member ids per batch", Map.of("limit", maxMembers, "received", ids.size()));
      }
      List<String> memberIds = new ArrayList<>(ids.size());
      for (JsonNode id : ids) {
        // A non-string id is reported for that entry, like any other malformed id; the
        // NUL prefix makes sure it never passes as a valid id.
        memberIds.add(id.isTextual() ? id.textValue() : NOT_TEXT + id);
      }
      JsonNode groupsNode = root.get("groups");
      List<String> groups = null;
      if (groupsNode != null && !groupsNode.isNull()) {
        if (!groupsNode.isArray()) {
          throw ApiProblem.badRequest("INVALID_FIELD", "groups must be an array of names",
              Map.of("field", "groups"));
        }
        groups = new ArrayList<>();
        for (JsonNode group : groupsNode) {
          if (!group.isTextual()) {
            throw ApiProblem.badRequest("INVALID_FIELD", "groups must be an array of names",
                Map.of("field", "groups"));
          }
          groups.add(group.textValue());
        }
      }
      return new BatchRequest(memberIds, groups);
    }
  }

}

package dev.tessera.serving.workflow;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tessera.orchestrator.OrchestratorException;
import dev.tessera.orchestrator.WorkflowService;
import dev.tessera.orchestrator.signal.SignalJson;
import dev.tessera.orchestrator.workflow.WorkflowKind;
import dev.tessera.orchestrator.workflow.WorkflowStatus;
import dev.tessera.serving.ServingApi;
import dev.tessera.serving.http.ApiError;
import dev.tessera.serving.http.ApiProblem;
import dev.tessera.serving.http.BearerAuth;
import dev.tessera.serving.http.Endpoints;
import dev.tessera.serving.http.ErrorResponses;
import dev.tessera.serving.http.Json;
import java.io.IOException;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCode;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * The orchestrator over HTTP, in the API's error shape and auth: reads (a workflow's state and
 * history, lists, a signal name's kept signals) like feature reads; every write (start, signal,
 * approve, reject, cancel) needs the operator token.
 *
 * <pre>
 * POST /v1/workflows                 {"kind","id"?,"params"?}    201 with the view
 * GET  /v1/workflows?kind=&status=                               list, newest first
 * GET  /v1/workflows/{id}                                        state and full history
 * POST /v1/workflows/{id}/approve    {"by"}
 * POST /v1/workflows/{id}/reject     {"by","reason"}
 * POST /v1/workflows/{id}/cancel     {"by","reason"}
 * POST /v1/signals                   signal JSON                 202 accepted | 200 duplicate
 * GET  /v1/signals/{name}                                        kept signals and open waits
 * </pre>
 */
public final class WorkflowRoutes extends AllDirectives implements ServingApi.Extension {
  private static final Duration BODY_TIMEOUT = Duration.ofSeconds(5);
  private static final long MAX_BODY = 256 * 1024;

  private final WorkflowService workflows;
  private ErrorResponses errors;

  public WorkflowRoutes(WorkflowService workflows) {
    this.workflows = workflows;
  }

  @Override
  public Route route(Endpoints endpoints, BearerAuth auth) {
    this.errors = endpoints.errors();
    return pathPrefix("v1", () -> concat(
        pathPrefix("workflows", () -> concat(
            pathEnd(() -> concat(
                post(() -> endpoints.endpoint("workflow_start", () -> auth.operator(
                    () -> body(this::start)))),
                get(() -> endpoints.endpoint("workflow_list", () -> auth.read(
                    () -> parameterOptional("kind", kind -> parameterOptional("status",
                        status -> answer(list(kind, status), StatusCodes.OK)))))))),
            pathPrefix(id -> concat(
                pathEnd(() -> get(() -> endpoints.endpoint("workflow_get", () -> auth.read(
                    () -> answer(workflows.get(id), StatusCodes.OK))))),
                path("approve", () -> post(() -> endpoints.endpoint("workflow_approve",
                    () -> auth.operator(() -> body(json -> answer(
                        workflows.approve(id, text(json, "by", true)), StatusCodes.OK)))))),
                path("reject", () -> post(() -> endpoints.endpoint("workflow_reject",
                    () -> auth.operator(() -> body(json -> answer(workflows.reject(id,
                        text(json, "by", true), text(json, "reason", false)),
                        StatusCodes.OK)))))),
                path("cancel", () -> post(() -> endpoints.endpoint("workflow_cancel",
                    () -> auth.operator(() -> body(json -> answer(workflows.cancel(id,
                        text(json, "by", true), text(json, "reason", false)),
                        StatusCodes.OK)))))))))),
        pathPrefix("signals", () -> concat(
            pathEnd(() -> post(() -> endpoints.endpoint("signal_post", () -> auth.operator(
                () -> body(this::postSignal))))),
            path(name -> get(() -> endpoints.endpoint("signal_get", () -> auth.read(
                () -> answer(workflows.signals(name), StatusCodes.OK)))))))));
  }

  private Route start(JsonNode json) {
    String kindName = text(json, "kind", true);
    WorkflowKind kind;
    try {
      kind = WorkflowKind.fromId(kindName);
    } catch (IllegalArgumentException e) {
      throw ApiProblem.badRequest("INVALID_FIELD", "kind must be one of " + Arrays.stream(
          WorkflowKind.values()).map(WorkflowKind::id).toList(), Map.of("field", "kind"));
    }
    JsonNode params = json.path("params");
    if (!params.isMissingNode() && !params.isNull() && !params.isObject()) {
      throw ApiProblem.badRequest("INVALID_FIELD", "params must be an object",
          Map.of("field", "params"));
    }
    @SuppressWarnings("unchecked")
    Map<String, Object> values = params.isObject()
        ? Json.MAPPER.convertValue(params, Map.class) : Map.of();
    String id = text(json, "id", false);
    return answer(workflows.start(id, kind, values), StatusCodes.CREATED);
  }

  private Route postSignal(JsonNode json) {
    try {
      return completeWithFuture(workflows.postSignal(
              SignalJson.fromTree(json, "http", System.currentTimeMillis()))
          .thenApply(published -> Json.response(
              published.name().equals("DUPLICATE") ? StatusCodes.OK : StatusCodes.ACCEPTED,
              Map.of("result", published.name())))
          .exceptionally(this::failure));
    } catch (IllegalArgumentException e) {
      throw ApiProblem.badRequest("INVALID_SIGNAL", e.getMessage(), Map.of());
    }
  }

  private CompletionStage<?> list(Optional<String> kind, Optional<String> status) {
    Optional<WorkflowKind> k;
    Optional<WorkflowStatus> s;
    try {
      k = kind.map(WorkflowKind::fromId);
    } catch (IllegalArgumentException e) {
      return CompletableFuture.failedFuture(ApiProblem.badRequest("INVALID_PARAMETER",
          "kind must be one of " + Arrays.stream(WorkflowKind.values()).map(WorkflowKind::id)
              .toList(), Map.of("parameter", "kind")));
    }
    try {
      s = status.map(v -> WorkflowStatus.valueOf(v.toUpperCase(Locale.ROOT)));
    } catch (IllegalArgumentException e) {
      return CompletableFuture.failedFuture(ApiProblem.badRequest("INVALID_PARAMETER",
          "status must be one of " + Arrays.toString(WorkflowStatus.values()),
          Map.of("parameter", "status")));
    }
    return workflows.list(k, s).thenApply(all -> Map.of("workflows", all));
  }

  /** The request body as a JSON object; a malformed one is a 400 in the API's shape. */
  private Route body(Function<JsonNode, Route> inner) {
    return extractStrictEntity(BODY_TIMEOUT, MAX_BODY, entity -> {
      JsonNode json;
      try {
        byte[] bytes = entity.getData().toArray();
        json = bytes.length == 0 ? Json.MAPPER.createObjectNode() : Json.MAPPER.readTree(bytes);
      } catch (IOException e) {
        return complete(errors.fromThrowable(ApiProblem.badRequest("MALFORMED_BODY",
            "the body is not valid JSON", Map.of())));
      }
      if (json == null || !json.isObject()) {
        return complete(errors.fromThrowable(ApiProblem.badRequest("MALFORMED_BODY",
            "the body must be a JSON object", Map.of())));
      }
      try {
        return inner.apply(json);
      } catch (ApiProblem problem) {
        return complete(errors.fromThrowable(problem));
      }
    });
  }

  private Route answer(CompletionStage<?> result, StatusCode status) {
    return completeWithFuture(result
        .thenApply(value -> Json.response(status, value))
        .exceptionally(this::failure));
  }

  private HttpResponse failure(Throwable failure) {
    Throwable cause = ErrorResponses.unwrap(failure);
    if (cause instanceof OrchestratorException e) {
      StatusCode status = switch (e.code()) {
        case NOT_FOUND -> StatusCodes.NOT_FOUND;
        case CONFLICT -> StatusCodes.CONFLICT;
        case INVALID -> StatusCodes.BAD_REQUEST;
        case UNAVAILABLE -> StatusCodes.SERVICE_UNAVAILABLE;
      };
      return errors.response(status, ApiError.of(e.code().name(), e.getMessage()));
    }
    return errors.fromThrowable(cause);
  }

  private static String text(JsonNode json, String field, boolean required) {
    JsonNode value = json.get(field);
    if (value == null || value.isNull()) {
      if (required) {
        throw ApiProblem.badRequest("MISSING_FIELD", field + " is required",
            Map.of("field", field));
      }
      return null;
    }
    if (!value.isTextual() || value.textValue().isBlank()) {
      throw ApiProblem.badRequest("INVALID_FIELD", field + " must be a non-empty string",
          Map.of("field", field));
    }
    return value.textValue();
  }
}

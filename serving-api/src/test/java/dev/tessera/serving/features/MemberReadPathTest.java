package dev.tessera.serving.features;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import dev.tessera.engine.definition.FeatureRegistry;
import dev.tessera.serving.ServingSettings;
import dev.tessera.serving.http.BearerAuth;
import dev.tessera.serving.http.ErrorResponses;
import dev.tessera.serving.metrics.HttpMetrics;
import dev.tessera.sharding.store.Lookup;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.headers.Authorization;
import org.junit.jupiter.api.Test;

/**
 * Which requests the direct member-read path takes: only those whose answer cannot differ from the
 * route's; everything else is left to the route (null). The answers themselves are compared with
 * the route's over a real socket in {@code ServingApiTest}.
 */
class MemberReadPathTest {
  private static final FeatureRegistry REGISTRY = FeatureRegistry.fromConfig(ConfigFactory.load());

  private static MemberReadPath path(ServingSettings settings) {
    ErrorResponses errors = new ErrorResponses(settings.retryAfter());
    FeatureLookup lookup = (member, group, now) ->
        CompletableFuture.completedFuture(Lookup.NotFound.INSTANCE);
    FeatureRoutes routes = new FeatureRoutes(lookup, REGISTRY, settings, errors,
        (snapshot, servedAt) -> { });
    return new MemberReadPath(routes, new BearerAuth(settings.auth(), errors),
        new HttpMetrics(new PrometheusRegistry()), errors);
  }

  private static int status(MemberReadPath path, HttpRequest request) throws Exception {
    HttpResponse response = path.answer(request).toCompletableFuture().get(5, TimeUnit.SECONDS);
    return response.status().intValue();
  }

  @Test
  void takesPlainReadsAndAnswersTheirErrorsAsTheRouteWould() throws Exception {
    MemberReadPath path = path(ServingSettings.local());
    assertThat(status(path, HttpRequest.GET("/v1/members/m-1/features"))).isEqualTo(200);
    assertThat(status(path, HttpRequest.GET("/v1/members/m-1/features?groups=member_engagement")))
        .isEqualTo(200);
    assertThat(status(path, HttpRequest.GET("/v1/members/m-1/features?groups=nope")))
        .isEqualTo(404);
    assertThat(status(path, HttpRequest.GET("/v1/members/m-1/features?groups="))).isEqualTo(400);
    assertThat(status(path, HttpRequest.GET("/v1/members/bad$/features"))).isEqualTo(400);
    // Pekko's URI parser already decodes an unreserved character: "m-1" as the route sees it.
    assertThat(status(path, HttpRequest.GET("/v1/members/m%2D1/features"))).isEqualTo(200);
  }

  @Test
  void leavesEverythingElseToTheRoute() {
    MemberReadPath path = path(ServingSettings.local());
    assertThat(path.answer(HttpRequest.POST("/v1/members/m-1/features"))).isNull();
    assertThat(path.answer(HttpRequest.HEAD("/v1/members/m-1/features"))).isNull();
    assertThat(path.answer(HttpRequest.GET("/v1/members/m-1/features")
        .withEntity(HttpEntities.create("{}")))).isNull();
    assertThat(path.answer(HttpRequest.GET("/v1/members//features"))).isNull();
    assertThat(path.answer(HttpRequest.GET("/v1/members/a/b/features"))).isNull();
    assertThat(path.answer(HttpRequest.GET("/v1/members/m-1/features/"))).isNull();
    // An encoded '/' inside the id: one segment to the route, not a plain one here.
    assertThat(path.answer(HttpRequest.GET("/v1/members/m%2F1/features"))).isNull();
    assertThat(path.answer(HttpRequest.GET("/v1/members/m-1/features?groups=a%2Cb"))).isNull();
    assertThat(path.answer(HttpRequest.GET("/v1/members/m-1/features?groups=a+b"))).isNull();
    assertThat(path.answer(HttpRequest.GET("/v1/members/m-1/features?groups=a&x=1"))).isNull();
    assertThat(path.answer(HttpRequest.GET("/v1/members/m-1/features?x=1"))).isNull();
    assertThat(path.answer(HttpRequest.GET("/v2/members/m-1/features"))).isNull();
  }

  @Test
  void leavesProtectedReadsWithoutAValidTokenToTheRoute() throws Exception {
    MemberReadPath path = path(ServingSettings.local().withAuth(
        new ServingSettings.Auth("operator-token-0123456789", true, "read-token-0123456789abc")));
    HttpRequest read = HttpRequest.GET("/v1/members/m-1/features");
    assertThat(path.answer(read)).isNull();
    assertThat(path.answer(read.addHeader(Authorization.oauth2("wrong-token-0123456789"))))
        .isNull();
    assertThat(status(path, read.addHeader(Authorization.oauth2("read-token-0123456789abc"))))
        .isEqualTo(200);
    assertThat(status(path, read.addHeader(Authorization.oauth2("operator-token-0123456789"))))
        .isEqualTo(200);
  }
}

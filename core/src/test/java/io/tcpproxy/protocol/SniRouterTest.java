package io.tcpproxy.protocol;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SniRouterTest
{
    private final SniRouter<String> router = SniRouter.<String>builder()
        .route(List.of("api.example.com", "*.api.example.com"), List.of(), "api")
        .route(List.of("*.example.com"), List.of(), "wide")
        .route(List.of("grpc.example.com"), List.of("h2"), "grpc-h2")
        .route(List.of("grpc.example.com"), List.of(), "grpc-any")
        .route(List.of("*.deep.example.com"), List.of("acme-tls/1"), "acme")
        .route(List.of("Mixed.Example.ORG."), List.of(), "mixed")
        .build("default");

    @Test
    void shouldMatchExactNamesFirstCaseInsensitiveWithTrailingDotIgnored()
    {
        assertEquals("api", route("api.example.com"));
        assertEquals("api", route("API.Example.COM"));
        assertEquals("api", route("api.example.com."));
        assertEquals("mixed", route("mixed.example.org"));
        assertEquals("default", route("example.org"));
    }

    @Test
    void shouldMatchTheLongestWildcard()
    {
        assertEquals("api", route("v1.api.example.com"), "*.api.example.com beats *.example.com");
        assertEquals("api", route("a.b.api.example.com"));
        assertEquals("wide", route("www.example.com"));
        assertEquals("wide", route("x.y.example.com"));
        assertEquals("default", route("example.com"), "a wildcard needs a label before the suffix");
        assertEquals("default", route("notexample.com"));
    }

    @Test
    void shouldApplyAlpnConstraintsInRouteOrder()
    {
        assertEquals("grpc-h2", route("grpc.example.com", "http/1.1", "h2"));
        assertEquals("grpc-any", route("grpc.example.com", "http/1.1"));
        assertEquals("grpc-any", route("grpc.example.com"));
        assertEquals("acme", route("x.deep.example.com", "acme-tls/1"));
        assertEquals("wide", route("x.deep.example.com", "h2"), "the ALPN-bound wildcard fails; the next one fits");
    }

    @Test
    void shouldUseAnyNameRoutesThenTheDefaultWithoutAName()
    {
        assertEquals("default", route(null));
        final SniRouter<String> withCatchAll = SniRouter.<String>builder()
            .route(List.of("a.example"), List.of(), "a")
            .route(List.of(), List.of("h2"), "any-h2")
            .build(null);
        assertEquals("any-h2", routeWith(withCatchAll, null, "h2"));
        assertEquals("any-h2", routeWith(withCatchAll, "zzz.example", "h2"));
        assertNull(routeWith(withCatchAll, "zzz.example"), "no default: no_route");
        assertEquals("a", routeWith(withCatchAll, "A.EXAMPLE"));
    }

    @Test
    void shouldRejectMalformedNamesAndProtocols()
    {
        for (final String bad : new String[] {"", "*", "*.", "a..b", "exa mple.com", "a.*.com", "**.a.com", "é.com",
            ".a.com"})
        {
            final IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SniRouter.<String>builder().route(List.of(bad), List.of(), "x"), bad);
            assertTrue(e.getMessage().contains("\"" + bad + "\""), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class,
            () -> SniRouter.<String>builder().route(List.of("a.com"), List.of(""), "x"));
    }

    @Test
    void shouldRouteAPeekedJdkHello() throws Exception
    {
        final ClientHelloPeek peek = new ClientHelloPeek(65536);
        assertEquals(ClientHelloPeek.Status.DONE,
            peek.peek(ByteBuffer.wrap(ClientHellos.fromJdk("grpc.example.com", "h2"))));
        assertEquals("grpc-h2", router.route(peek));
    }

    private String route(final String name, final String... alpn)
    {
        return routeWith(router, name, alpn);
    }

    private static String routeWith(final SniRouter<String> router, final String name, final String... alpn)
    {
        final ClientHelloPeek peek = new ClientHelloPeek(65536);
        final byte[] records = ClientHellos.records(ClientHellos.handshake(name, alpn.length == 0 ? null :
            List.of(alpn), 0));
        assertEquals(ClientHelloPeek.Status.DONE, peek.peek(ByteBuffer.wrap(records)));
        final String byPeek = router.route(peek);
        final byte[] bytes = name == null ? new byte[0] : name.getBytes(StandardCharsets.US_ASCII);
        assertEquals(byPeek, router.route(bytes, bytes.length, peek));
        return byPeek;
    }
}

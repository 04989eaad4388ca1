package io.tcpproxy.http;

import io.tcpproxy.bench.jmh.AbstractBenchmark;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Parsing the request head Prometheus 2.x sends on every scrape (request line, five headers, about 300 bytes), from
 * a direct buffer as the responder reads it, in one call: the common case of the whole head arriving at once.
 */
@State(Scope.Thread)
public class RequestParserBenchmark extends AbstractBenchmark
{
    private static final String SCRAPE_HEAD =
        "GET /metrics HTTP/1.1\r\n" +
        "Host: 10.0.0.5:9090\r\n" +
        "User-Agent: Prometheus/2.53.0\r\n" +
        "Accept: application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75," +
        "text/plain;version=0.0.4;q=0.5,*/*;q=0.1\r\n" +
        "Accept-Encoding: gzip\r\n" +
        "X-Prometheus-Scrape-Timeout-Seconds: 10\r\n" +
        "\r\n";

    private static final byte[] METRICS_PATH = "/metrics".getBytes(StandardCharsets.US_ASCII);

    private final RequestParser parser = new RequestParser();
    private ByteBuffer head;
    private int headBytes;

    /** Put the head in a direct buffer and check it parses as a complete scrape of /metrics. */
    @Setup(Level.Trial)
    public void setUp()
    {
        final byte[] bytes = SCRAPE_HEAD.getBytes(StandardCharsets.US_ASCII);
        headBytes = bytes.length;
        head = ByteBuffer.allocateDirect(HttpLimits.DEFAULT_MAX_HEAD_BYTES);
        head.put(bytes);
        if (parseScrape() != 1 || !parser.keepAlive || parser.headLength != headBytes)
        {
            throw new IllegalStateException("the scrape head did not parse as GET /metrics");
        }
    }

    /**
     * @return 1 when the head parsed as a request for /metrics, 0 for another path, -1 when incomplete.
     */
    @Benchmark
    public int parseScrape()
    {
        final int result = parser.parse(head, headBytes, 0);
        if (RequestParser.COMPLETE != result)
        {
            return -1;
        }
        return parser.pathIs(METRICS_PATH) ? 1 : 0;
    }
}

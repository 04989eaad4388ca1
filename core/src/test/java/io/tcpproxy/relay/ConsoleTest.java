package io.tcpproxy.relay;

import io.tcpproxy.Proxy;
import io.tcpproxy.config.LogEvents;
import io.tcpproxy.config.Config;
import io.tcpproxy.testsupport.TestUpstream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConsoleTest
{
    private static final int MESSAGES = 1000;
    private static final int MESSAGE_BYTES = 10;

    @Test
    @Timeout(120)
    void shouldLogOpenAndCloseLinesInTheSeedsFormatWithTheReason() throws Exception
    {
        final ConsoleCapture console = new ConsoleCapture();
        try (TestUpstream upstream = TestUpstream.echo();
            Proxy proxy = TestProxies.start(
                TestProxies.configFor(upstream).logEvents(LogEvents.CONNECTIONS), console);
            Socket client = Clients.connect(proxy))
        {
            final String endpoint = "127.0.0.1:" + client.getLocalPort();
            Clients.assertEchoes(client, "hello");
            console.awaitLine("[METRICS] ConnectionOpened " + endpoint + " | active: 1, total: 1");

            client.shutdownOutput();
            assertEquals(Clients.End.EOF, Clients.awaitEnd(client, Duration.ofSeconds(30)));
            console.awaitLine("[METRICS] ConnectionClosed " + endpoint + " | active: 0 | reason: client_fin |");
            assertEquals(0, countMatches(console.text(), "\u2191|\u2193"), "no byte lines at log_events = connections");
        }
    }

    @Test
    @Timeout(120)
    void shouldCoalesceByteLinesAtLogEventsAll() throws Exception
    {
        final ConsoleCapture console = new ConsoleCapture();
        final long startNs = System.nanoTime();
        try (TestUpstream upstream = TestUpstream.echo();
            Proxy proxy = TestProxies.start(TestProxies.configFor(upstream).logEvents(LogEvents.ALL), console);
            Socket client = Clients.connect(proxy))
        {
            final String endpoint = "127.0.0.1:" + client.getLocalPort();
            final long endNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
            for (int i = 0; i < MESSAGES; i++)
            {
                Clients.assertEchoes(client, String.format("%09d.", i));
                final long remainingNs = endNs - System.nanoTime();
                if (remainingNs > 0)
                {
                    LockSupport.parkNanos(remainingNs / (MESSAGES - i));
                }
            }
            client.shutdownOutput();
            assertEquals(Clients.End.EOF, Clients.awaitEnd(client, Duration.ofSeconds(30)));
            console.awaitLine("[METRICS] ConnectionClosed " + endpoint + " | active: 0 | reason: client_fin |");

            final String text = console.text();
            final LineSum up = sumByteLines(text, endpoint, "\u2191");
            final LineSum down = sumByteLines(text, endpoint, "\u2193");
            assertEquals(MESSAGES * MESSAGE_BYTES, up.bytes, text);
            assertEquals(MESSAGES * MESSAGE_BYTES, down.bytes, text);
            // at most one byte line per direction a second, plus the last one at the close: a bound that follows
            // the time the 1000 round trips took on this machine, and stays far below one line per message
            final long elapsedSecs = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - startNs);
            final long mostLines = Math.min(elapsedSecs + 3, MESSAGES / 10);
            assertTrue(up.lines >= 1 && up.lines <= mostLines,
                "coalesced into " + up.lines + " \u2191 lines in " + elapsedSecs + " s");
            assertTrue(down.lines >= 1 && down.lines <= mostLines,
                "coalesced into " + down.lines + " \u2193 lines in " + elapsedSecs + " s");
        }
    }

    private static int countMatches(final String text, final String regex)
    {
        final Matcher matcher = Pattern.compile(regex).matcher(text);
        int count = 0;
        while (matcher.find())
        {
            count++;
        }
        return count;
    }

    private static LineSum sumByteLines(final String text, final String endpoint, final String arrow)
    {
        final Matcher matcher = Pattern.compile(
            "^\\[METRICS] " + Pattern.quote(endpoint) + " " + arrow + " (\\d+) \\| total ", Pattern.MULTILINE)
            .matcher(text);
        final LineSum sum = new LineSum();
        while (matcher.find())
        {
            sum.lines++;
            sum.bytes += Long.parseLong(matcher.group(1));
        }
        return sum;
    }

    private static final class LineSum
    {
        int lines;
        long bytes;
    }
}

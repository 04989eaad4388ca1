package io.tcpproxy.upstream;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Keeps every event as the console line it would print.
 */
final class RecordingListener implements UpstreamListener
{
    final List<String> lines = new CopyOnWriteArrayList<>();
    private final UpstreamListener printer = UpstreamConsole.listener(new java.io.PrintStream(
        new java.io.OutputStream()
        {
            private final StringBuilder line = new StringBuilder();

            @Override
            public void write(final int b)
            {
                if (b == '\n')
                {
                    lines.add(line.toString());
                    line.setLength(0);
                }
                else
                {
                    line.append((char)b);
                }
            }
        }, true, java.nio.charset.StandardCharsets.ISO_8859_1));

    @Override
    public void onHealthChanged(
        final UpstreamServer server, final boolean up, final int checksInARow, final CheckResult lastResult)
    {
        printer.onHealthChanged(server, up, checksInARow, lastResult);
    }

    @Override
    public void onEjected(
        final UpstreamServer server, final long ejectionMs, final int failuresInARow, final ConnectFailure lastFailure)
    {
        printer.onEjected(server, ejectionMs, failuresInARow, lastFailure);
    }

    @Override
    public void onReadmitted(final UpstreamServer server, final boolean byActiveCheck)
    {
        printer.onReadmitted(server, byActiveCheck);
    }

    @Override
    public void onServersChanged(
        final String configuredAddr, final List<UpstreamServer> added, final List<UpstreamServer> removed)
    {
        printer.onServersChanged(configuredAddr, added, removed);
    }

    @Override
    public void onResolveFailed(final String configuredAddr, final String message)
    {
        printer.onResolveFailed(configuredAddr, message);
    }

    boolean has(final String line)
    {
        return lines.contains(line);
    }
}

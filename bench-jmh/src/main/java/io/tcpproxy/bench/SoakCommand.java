package io.tcpproxy.bench;

import java.io.PrintStream;

final class SoakCommand
{
    private SoakCommand()
    {
    }

    static int run(final String[] args, final PrintStream out, final boolean terminal)
    {
        throw new UsageException("not built yet");
    }
}

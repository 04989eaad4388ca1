package io.tcpproxy.bench.cpu;

import io.tcpproxy.bench.process.ChildProcess;
import io.tcpproxy.bench.process.Children;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The CPU sources of the targets a command started, by target name.
 */
public final class CpuSources
{
    private CpuSources()
    {
    }

    /**
     * @param children the started processes: {@code proxy}, {@code echo} or {@code bulk-server}, {@code haproxy},
     *                 {@code nginx}.
     * @return {@code proxy} (with its thread groups), {@code direct} (the echo or bulk server), {@code haproxy} and
     * {@code nginx} (with their worker processes), of those started; none where /proc is missing.
     */
    public static Map<String, CpuSource> of(final Children children)
    {
        final ProcCpu proc = ProcCpu.system();
        final Map<String, CpuSource> sources = new HashMap<>();
        if (!proc.available())
        {
            return sources;
        }
        final ChildProcess proxy = children.named("proxy");
        if (proxy != null)
        {
            sources.put("proxy", CpuSource.proxy(proc, proxy.pid()));
        }
        final ChildProcess echo = children.named("echo");
        final ChildProcess server = echo != null ? echo : children.named("bulk-server");
        if (server != null)
        {
            sources.put("direct", CpuSource.process(proc, server.pid()));
        }
        for (final String external : List.of("haproxy", "nginx"))
        {
            final ChildProcess child = children.named(external);
            if (child != null)
            {
                sources.put(external, CpuSource.tree(proc, child.pid()));
            }
        }
        return sources;
    }
}

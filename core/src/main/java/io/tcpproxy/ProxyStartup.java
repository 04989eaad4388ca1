package io.tcpproxy;

import io.tcpproxy.config.AccessLogFormat;
import io.tcpproxy.config.Config;
import io.tcpproxy.config.ConfigException;
import io.tcpproxy.config.HostPort;
import io.tcpproxy.engine.Engine;
import io.tcpproxy.metrics.AccessLog;
import io.tcpproxy.metrics.MetricsEndpoint;
import io.tcpproxy.metrics.MetricsEndpointFactory;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.util.Iterator;
import java.util.ServiceLoader;

/**
 * The start-up wiring behind {@link Proxy#start(Config, PrintStream)}: the access log, the engine, the reloader and
 * the metrics endpoint, in that order, each released again when a later one fails.
 */
final class ProxyStartup
{
    private ProxyStartup()
    {
    }

    /** See {@link Proxy#start(Config, PrintStream)}. */
    static Proxy start(final Config config, final PrintStream console) throws IOException
    {
        final AccessLog accessLog = openAccessLog(config);
        final Engine engine;
        try
        {
            engine = Engine.start(config, console, accessLog);
        }
        catch (final IOException | RuntimeException | Error ex)
        {
            if (null != accessLog)
            {
                accessLog.close();
            }
            throw ex;
        }
        final Reloader reloader;
        MetricsEndpoint endpoint = null;
        try
        {
            reloader = new Reloader(engine, config, console);
            final HostPort metricsAddress = config.metricsAddress();
            if (metricsAddress != null)
            {
                endpoint = startMetricsEndpoint(metricsAddress, engine, new ProxyAdmin(engine, reloader, console));
            }
        }
        catch (final IOException | RuntimeException ex)
        {
            engine.stop(false);
            throw ex;
        }
        engine.announceUpstreams();
        return new Proxy(engine, reloader, endpoint, console, accessLog);
    }

    /**
     * @return the access log of {@code access_log} / {@code access_log_format}, or null for "off".
     * @throws ConfigException when the file cannot be opened for writing (a configuration error: exit 2).
     */
    private static AccessLog openAccessLog(final Config config)
    {
        final io.tcpproxy.config.AccessLog setting = config.accessLog();
        final AccessLog.Format format =
            config.accessLogFormat() == AccessLogFormat.JSON ? AccessLog.Format.JSON : AccessLog.Format.TEXT;
        switch (setting.target())
        {
            case OFF:
                return null;
            case STDOUT:
                return AccessLog.toStream(System.out, format);
            default:
                try
                {
                    return AccessLog.toFile(setting.path(), format);
                }
                catch (final IOException | RuntimeException ex)
                {
                    throw new ConfigException("access_log", 0, "access_log: cannot write to \"" + setting.path() +
                        "\": " + describe(ex));
                }
        }
    }

    private static String describe(final Exception ex)
    {
        return ex instanceof AccessDeniedException ? "permission denied" :
            ex instanceof NoSuchFileException ? "no such file or directory" : String.valueOf(ex.getMessage());
    }

    private static MetricsEndpoint startMetricsEndpoint(
        final HostPort address, final Engine engine, final ProxyAdmin admin) throws IOException
    {
        final Iterator<MetricsEndpointFactory> factories =
            ServiceLoader.load(MetricsEndpointFactory.class, Proxy.class.getClassLoader()).iterator();
        if (!factories.hasNext())
        {
            throw new IllegalStateException("metrics_addr is set to " + address +
                " but no metrics endpoint is on the class path (add tcp-proxy-metrics-http, or set metrics_addr = \"\")");
        }
        final InetSocketAddress bindAddress = address.resolve();
        if (bindAddress.isUnresolved())
        {
            throw new IOException("cannot serve metrics on " + address + ": host name does not resolve");
        }
        try
        {
            return factories.next().start(bindAddress, engine.collector()::snapshot, admin);
        }
        catch (final IOException ex)
        {
            throw new IOException("cannot serve metrics on " + address + ": " + ex.getMessage(), ex);
        }
    }
}

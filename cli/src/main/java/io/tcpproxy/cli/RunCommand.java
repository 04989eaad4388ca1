package io.tcpproxy.cli;

import io.tcpproxy.Proxy;
import io.tcpproxy.config.Config;
import io.tcpproxy.config.ConfigBuilder;
import io.tcpproxy.config.ConfigException;
import io.tcpproxy.config.ConfigKey;
import io.tcpproxy.config.HostPort;
import io.tcpproxy.config.TomlConfigLoader;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParseResult;

import java.io.IOException;
import java.io.PrintStream;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.channels.UnresolvedAddressException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Supplier;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code tcp-proxy run}: the configuration from {@code --config} (or ./proxy.toml, or the defaults), overridden by
 * one flag per {@link ConfigKey}, then the proxy until SIGINT/SIGTERM. The flags are generated from the
 * {@link ConfigKey} table so that the table stays the one list of settings.
 */
final class RunCommand
{
    static final Path DEFAULT_CONFIG = Path.of("proxy.toml");
    static final String SIGINT_IGNORED_WARNING = SignalHooks.PREFIX + "warning: SIGINT was ignored when this " +
        "process started (a background job of a non-interactive shell?), and a JVM cannot take it back: Ctrl+C " +
        "will not stop the proxy; stop it with SIGTERM (kill PID)";

    private final CommandSpec spec;
    private final OptionSpec configOption;
    private final Map<ConfigKey, OptionSpec> keyOptions = new EnumMap<>(ConfigKey.class);
    private String configSource = noConfigFile();

    RunCommand()
    {
        spec = CommandSpec.create().name(TcpProxyCli.RUN).mixinStandardHelpOptions(true)
            .version(TcpProxyCli.NAME + " " + Version.text());
        spec.usageMessage()
            .description(
                "Run the proxy until SIGINT or SIGTERM: the first one stops accepting and lets open connections " +
                "finish for grace_period_secs; a second one closes them at once. SIGHUP and SIGUSR1 are logged " +
                "and ignored (reload and log reopening are not implemented yet).",
                "Settings come from the config file, then from these flags, which win.")
            .sortOptions(true)
            .sortSynopsis(false);

        configOption = OptionSpec.builder("--config", "-c")
            .paramLabel("PATH")
            .type(String.class)
            .description("TOML configuration file (default: ./proxy.toml, or the built-in defaults if it is absent)")
            .build();
        spec.addOption(configOption);

        final Map<ConfigKey, Object> defaults = Config.builder().build().values();
        for (final ConfigKey key : ConfigKey.values())
        {
            if (!key.hasFlag())
            {
                continue;
            }
            final OptionSpec option = optionFor(key, defaults.get(key));
            keyOptions.put(key, option);
            spec.addOption(option);
        }
    }

    CommandSpec spec()
    {
        return spec;
    }

    int execute(final ParseResult parseResult, final PrintStream out, final PrintStream err)
    {
        final Config config = resolveConfig(parseResult);
        return run(config, configSource, () -> resolveConfig(parseResult), out, err);
    }

    /**
     * The file (or defaults), then the flags that were given.
     *
     * @throws ConfigException naming the file and line, or the flag, at fault.
     */
    Config resolveConfig(final ParseResult parseResult)
    {
        final ConfigBuilder builder;
        if (parseResult.hasMatchedOption(configOption))
        {
            final String path = configOption.getValue();
            builder = TomlConfigLoader.load(Path.of(path));
            configSource = configFile(Path.of(path));
        }
        else if (Files.exists(DEFAULT_CONFIG))
        {
            builder = TomlConfigLoader.load(DEFAULT_CONFIG);
            configSource = configFile(DEFAULT_CONFIG);
        }
        else
        {
            builder = Config.builder();
            configSource = noConfigFile();
        }

        for (final Map.Entry<ConfigKey, OptionSpec> entry : keyOptions.entrySet())
        {
            final OptionSpec option = entry.getValue();
            if (parseResult.hasMatchedOption(option))
            {
                final ConfigKey key = entry.getKey();
                final String value = option.getValue();
                try
                {
                    builder.set(key, value);
                }
                catch (final IllegalArgumentException ex)
                {
                    throw new ConfigException(key.tomlName(), 0, key.flag() + ": " + ex.getMessage());
                }
            }
        }
        return builder.build();
    }

    /**
     * Start the proxy, print the startup line, stop on SIGINT/SIGTERM, return when it has stopped.
     *
     * @param configSource where the settings came from, for the startup line (see {@link #configFile(Path)}).
     */
    static int run(final Config config, final String configSource, final PrintStream out, final PrintStream err)
    {
        return run(config, configSource, null, out, err);
    }

    /**
     * As {@link #run(Config, String, PrintStream, PrintStream)}, with SIGHUP reloading the settings from
     * {@code reloadSource} (the file read again, the command-line flags applied over it, as at start).
     */
    static int run(
        final Config config,
        final String configSource,
        final Supplier<Config> reloadSource,
        final PrintStream out,
        final PrintStream err)
    {
        final Proxy proxy;
        try
        {
            proxy = Proxy.start(config);
        }
        catch (final IOException ex)
        {
            err.println(TcpProxyCli.NAME + ": error: cannot start: " + ex.getMessage());
            err.flush();
            return startFailureStatus(ex);
        }

        try (proxy)
        {
            final ShutdownOnSignal onSignal = new ShutdownOnSignal(proxy, Duration.ofSeconds(config.gracePeriodSecs()));
            final boolean sigintIgnored = Signals.handle("INT", onSignal);
            Signals.handle("TERM", onSignal);
            final SignalHooks hooks = new SignalHooks(out);
            if (reloadSource != null)
            {
                proxy.configSource(reloadSource);
            }
            // the JVM's signal thread only starts the work: a reload waits for every worker to take the new table
            hooks.onReload(() -> startDaemon("tcp-proxy-reload", () ->
            {
                out.println(SignalHooks.HUP_RELOADING);
                proxy.reload();
            }));
            hooks.onReopenLogs(() -> startDaemon("tcp-proxy-reopen-logs", () ->
            {
                out.println(SignalHooks.USR1_REOPENING);
                proxy.reopenAccessLog();
            }));
            hooks.install();

            out.println(startupLine(proxy.localAddress(), destination(proxy.targetAddress(), config),
                proxy.metricsAddress()) + ", " + configSource);
            if (proxy.maxConnections() < config.maxConnections())
            {
                out.println(descriptorCapLine(config.maxConnections(), proxy.maxConnections(), proxy.descriptorLimit()));
            }
            if (sigintIgnored)
            {
                out.println(SIGINT_IGNORED_WARNING);
            }
            out.flush();

            proxy.awaitShutdown();
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        return TcpProxyCli.EXIT_OK;
    }

    /**
     * 2 when the configuration asked for what cannot be had (an address in use or not local, a name that does not
     * resolve, a privileged port), as for any other bad setting; 1 for the rest (e.g. out of file descriptors).
     */
    static int startFailureStatus(final IOException ex)
    {
        for (Throwable cause = ex; cause != null; cause = cause.getCause())
        {
            final String message = String.valueOf(cause.getMessage());
            if (cause instanceof BindException || cause instanceof UnresolvedAddressException ||
                message.contains("does not resolve"))
            {
                return TcpProxyCli.EXIT_USAGE;
            }
        }
        return TcpProxyCli.EXIT_START_FAILED;
    }

    private static void startDaemon(final String name, final Runnable work)
    {
        final Thread thread = new Thread(work, name);
        thread.setDaemon(true);
        thread.start();
    }

    /** Said at start when the descriptor limit holds fewer connections than max_connections asks for. */
    static String descriptorCapLine(final int configuredMax, final int effectiveMax, final long descriptorLimit)
    {
        return "[INFO] max_connections lowered from " + configuredMax + " to " + effectiveMax +
            ": the descriptor limit (RLIMIT_NOFILE) is " + descriptorLimit +
            " and each connection needs two; raise it with 'ulimit -n' or LimitNOFILE= to serve more";
    }

    static String configFile(final Path file)
    {
        return "config " + file.toAbsolutePath().normalize();
    }

    static String noConfigFile()
    {
        return "no config file (no --config, no ./" + DEFAULT_CONFIG + "): built-in defaults";
    }

    /** @return where the proxy sends clients: the one target, or how many servers in how many pools. */
    static String destination(final HostPort target, final Config config)
    {
        if (target != null)
        {
            return target.toString();
        }
        final int servers = config.upstreams().size();
        final int pools = config.pools().size();
        return servers + (servers == 1 ? " upstream server" : " upstream servers") +
            (pools > 1 ? " in " + pools + " pools" : "") + (config.routes().isEmpty() ? "" : " by SNI route");
    }

    static String startupLine(final InetSocketAddress listen, final String destination,
        final InetSocketAddress metrics)
    {
        return TcpProxyCli.NAME + " listening on " + HostPort.format(listen) + ", forwarding to " + destination +
            (metrics == null ? ", metrics disabled" : ", metrics on http://" + HostPort.format(metrics) + "/metrics");
    }

    private static OptionSpec optionFor(final ConfigKey key, final Object defaultValue)
    {
        final String alias = alias(key);
        final String[] names = alias == null ? new String[]{ key.flag() } : new String[]{ key.flag(), alias };
        final OptionSpec.Builder builder = OptionSpec.builder(names)
            .type(String.class)
            .description(key.description() + " (default: " + display(defaultValue) + ")");

        switch (key.kind())
        {
            case ADDRESS:
            case ADDRESS_OR_EMPTY:
                builder.paramLabel("HOST:PORT");
                break;
            case INTEGER:
                builder.paramLabel("N");
                break;
            case BOOLEAN:
                builder.paramLabel("true|false").arity("0..1").fallbackValue("true");
                break;
            case BOOLEAN_OR_CHOICE:
                builder.paramLabel(String.join("|", key.choices())).arity("0..1").fallbackValue("true");
                break;
            default:
                builder.paramLabel(String.join("|", key.choices()));
                break;
        }
        return builder.build();
    }

    private static String alias(final ConfigKey key)
    {
        switch (key)
        {
            case LISTEN_ADDR:
                return "--listen";
            case TARGET_ADDR:
                return "--target";
            case METRICS_ADDR:
                return "--metrics";
            default:
                return null;
        }
    }

    private static String display(final Object value)
    {
        return value instanceof String && ((String)value).isEmpty() ? "\"\"" : String.valueOf(value);
    }

    /**
     * First signal: a graceful stop on a new thread (the signal thread must not block). Later signals: stop now,
     * which cuts short the grace period of the stop already under way.
     */
    static final class ShutdownOnSignal implements Runnable
    {
        private final Proxy proxy;
        private final Duration grace;
        private final AtomicInteger signals = new AtomicInteger();

        ShutdownOnSignal(final Proxy proxy, final Duration grace)
        {
            this.proxy = proxy;
            this.grace = grace;
        }

        public void run()
        {
            final Duration thisGrace = signals.getAndIncrement() == 0 ? grace : Duration.ZERO;
            final Thread thread = new Thread(() -> proxy.shutdown(thisGrace), "tcp-proxy-shutdown");
            thread.setDaemon(true);
            thread.start();
        }

        public String toString()
        {
            return "ShutdownOnSignal{grace=" + grace + ", signals=" + signals.get() + "}";
        }
    }
}

package io.tcpproxy;

import io.tcpproxy.admin.ReloadResult;
import io.tcpproxy.config.Config;
import io.tcpproxy.config.ConfigKey;
import io.tcpproxy.engine.Engine;
import io.tcpproxy.engine.upstream.RoutingUpdate;
import io.tcpproxy.metrics.ReloadFamilies;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Reads the configuration again and applies it in place: validate completely first, then hand one routing table to
 * every worker. One reload at a time; any thread.
 */
final class Reloader
{
    /**
     * The reloadable keys this build applies to a running proxy, besides those of the servers and routes
     * ({@link RoutingReload#appliedLive}). A reloadable key not in either (its feature does not read the routing
     * table yet) is reported as needing a restart and keeps its value, so that "applied" never claims a change that
     * is not in force.
     */
    static final Set<ConfigKey> APPLIED_LIVE = Collections.unmodifiableSet(EnumSet.of(
        ConfigKey.MAX_CONNECTIONS, ConfigKey.CONNECT_TIMEOUT_MS, ConfigKey.IDLE_TIMEOUT_SECS, ConfigKey.ADMIN_TOKEN,
        ConfigKey.ALLOW, ConfigKey.DENY, ConfigKey.MAX_CONNECTIONS_PER_CLIENT, ConfigKey.CLIENT_CONNECT_RATE,
        ConfigKey.CLIENT_CONNECT_BURST, ConfigKey.CLIENT_IPV6_PREFIX, ConfigKey.LISTEN_ADDR));

    private static final String PREFIX = "[RELOAD] ";
    private static final int HASH_HEX_CHARS = 12;

    private final Engine engine;
    private final PrintStream console;
    private volatile Config current;
    private volatile String hash;
    private volatile Supplier<Config> source;

    Reloader(final Engine engine, final Config config, final PrintStream console)
    {
        this.engine = engine;
        this.console = console;
        this.current = config;
        this.hash = hashOf(config, config.sourcePath());
        final Path path = config.sourcePath();
        this.source = path == null ? null : () -> Config.fromFile(path);
        final String startHash = hash;
        final long nowMs = System.currentTimeMillis();
        engine.collector().update(registry -> ReloadFamilies.configInForce(registry, null, startHash, nowMs));
    }

    Config current()
    {
        return current;
    }

    String hash()
    {
        return hash;
    }

    void source(final Supplier<Config> loader)
    {
        this.source = Objects.requireNonNull(loader, "loader");
    }

    /** Read the source again and apply it. */
    ReloadResult reload()
    {
        final Supplier<Config> loader = source;
        if (loader == null)
        {
            return reject("no configuration file to read again (the proxy was started from settings built in code)");
        }
        final Config newer;
        try
        {
            newer = loader.get();
        }
        catch (final RuntimeException ex)
        {
            return reject(ex.getMessage() == null ? ex.toString() : ex.getMessage());
        }
        return reload(newer);
    }

    synchronized ReloadResult reload(final Config newer)
    {
        final Config running = current;
        final List<String> needsRestart = new ArrayList<>(running.restartRequiredChanges(newer));
        final Set<ConfigKey> live = RoutingReload.appliedLive(APPLIED_LIVE, running, newer);
        final Map<ConfigKey, Object> before = running.values();
        final Map<ConfigKey, Object> after = newer.values();
        final List<String> changes = new ArrayList<>();
        for (final ConfigKey key : ConfigKey.values())
        {
            if (!key.reloadable() || key == ConfigKey.LISTEN_ADDR || Objects.equals(before.get(key), after.get(key)))
            {
                continue;
            }
            final String change = key == ConfigKey.ADMIN_TOKEN ? key.tomlName() + " changed" :
                key == ConfigKey.ALLOW || key == ConfigKey.DENY ? key.tomlName() + " list changed" :
                key.tomlName() + " (" + show(before.get(key)) + " → " + show(after.get(key)) + ")";
            (live.contains(key) ? changes : needsRestart).add(change);
        }
        final List<String> tableChanges = RoutingReload.describe(running, newer, needsRestart);

        // The new address is bound first: building the routing update edits kept servers in place (weights,
        // limits), so nothing may fail after it.
        final ListenerReload listen = ListenerReload.bind(engine, running, newer); // reported by its commit
        if (listen.error() != null)
        {
            return reject(listen.error());
        }
        final Config applied;
        final RoutingUpdate update;
        try
        {
            applied = RoutingReload.inForce(running, newer, live);
            update = engine.prepareRouting(applied); // every pool and route validated, nothing in force yet
        }
        catch (final RuntimeException ex)
        {
            listen.abandon();
            return reject(ex.getMessage() == null ? ex.toString() : ex.getMessage());
        }
        changes.addAll(0, update.changes());
        changes.addAll(tableChanges);
        final String newHash = hashOf(newer, newer.sourcePath());
        engine.reconfigureAccess(applied); // lists and per-client limits, shared by the workers
        if (!engine.applyRouting(update))
        {
            console.println(PREFIX + "warning: a worker did not confirm the new settings within 5s; it takes them " +
                "when it next runs");
        }
        final String listenChange = listen.commit();
        if (listenChange != null)
        {
            changes.add(0, listenChange);
        }
        final String previousHash = hash;
        current = applied;
        hash = newHash;
        final long nowMs = System.currentTimeMillis();
        engine.collector().update(registry ->
        {
            registry.cell(ReloadFamilies.RELOADS, "applied").increment();
            ReloadFamilies.configInForce(registry, previousHash, newHash, nowMs);
        });
        final String summary = changes.isEmpty() ? "no changes in force" : String.join(", ", changes);
        console.println(PREFIX + "applied: " + summary + " (config " + newHash + ")");
        if (!needsRestart.isEmpty())
        {
            console.println(PREFIX + "needs a restart: " + String.join(", ", needsRestart));
        }
        return new ReloadResult(true, null, List.copyOf(needsRestart), List.copyOf(changes), newHash);
    }

    ReloadResult reject(final String error)
    {
        engine.collector().update(registry -> registry.cell(ReloadFamilies.RELOADS, "rejected").increment());
        console.println(PREFIX + "rejected: " + error);
        return new ReloadResult(false, error, List.of(), List.of(), hash);
    }

    private static String show(final Object value)
    {
        return "".equals(value) ? "\"\"" : String.valueOf(value);
    }

    /** @return a short hash of the file's bytes (or of the settings when not from a readable file). */
    static String hashOf(final Config config, final Path path)
    {
        byte[] bytes;
        try
        {
            bytes = path == null ? null : Files.readAllBytes(path);
        }
        catch (final IOException ex)
        {
            bytes = null;
        }
        if (bytes == null)
        {
            bytes = config.toString().getBytes(StandardCharsets.UTF_8);
        }
        try
        {
            final byte[] digest = MessageDigest.getInstance("SHA-256").digest(bytes);
            return HexFormat.of().formatHex(digest).substring(0, HASH_HEX_CHARS);
        }
        catch (final NoSuchAlgorithmException ex)
        {
            throw new IllegalStateException("SHA-256 is missing from this JVM", ex);
        }
    }
}

package io.tcpproxy.cli;

import java.io.PrintStream;

/**
 * The signals that do not stop the proxy: SIGHUP (by convention: reload the configuration) and SIGUSR1 (reopen log
 * files). Until a feature hooks in with {@link #onReload(Runnable)} or {@link #onReopenLogs(Runnable)} (the proxy's
 * {@code run} does both), each signal only logs that it was ignored; SIGHUP must never fall through to the JVM's
 * default, which exits at once and cuts every open connection.
 */
final class SignalHooks
{
    static final String PREFIX = "[SIGNAL] ";
    static final String HUP_IGNORED = PREFIX + "SIGHUP received: ignored (configuration reload is not implemented " +
        "yet; open connections are not affected)";
    static final String USR1_IGNORED = PREFIX + "SIGUSR1 received: ignored (there is no log file to reopen yet)";
    /** What {@code run} prints when SIGHUP starts a reload (then a {@code [RELOAD]} line says how it went). */
    static final String HUP_RELOADING = PREFIX + "SIGHUP received: reloading the configuration";
    /** What {@code run} prints when SIGUSR1 reopens the access log. */
    static final String USR1_REOPENING = PREFIX + "SIGUSR1 received: reopening the access log";

    private volatile Runnable reload;
    private volatile Runnable reopenLogs;

    SignalHooks(final PrintStream console)
    {
        reload = () -> log(console, HUP_IGNORED);
        reopenLogs = () -> log(console, USR1_IGNORED);
    }

    /**
     * @param action what SIGHUP does from now on; runs on the JVM's signal thread, so hand long work to another.
     */
    void onReload(final Runnable action)
    {
        reload = action;
    }

    /**
     * @param action what SIGUSR1 does from now on; runs on the JVM's signal thread, so hand long work to another.
     */
    void onReopenLogs(final Runnable action)
    {
        reopenLogs = action;
    }

    /**
     * Take over SIGHUP and SIGUSR1. A signal ignored at start (e.g. SIGHUP under nohup) stays ignored.
     */
    void install()
    {
        Signals.handle("HUP", () -> reload.run());
        Signals.handle("USR1", () -> reopenLogs.run());
    }

    private static void log(final PrintStream console, final String line)
    {
        console.println(line);
        console.flush();
    }
}

package io.tcpproxy.cli;

import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;

/**
 * Runs an action when the process receives a signal (INT, TERM, HUP, USR1), through {@code sun.misc.Signal}.
 * <p>
 * Why reflection: naming {@code sun.misc.Signal} in source makes javac warn that it is an internal proprietary
 * API, a warning no {@code @SuppressWarnings} silences, and the build treats warnings as errors. Why not a
 * shutdown hook: once the JVM has begun shutting down it ignores a second SIGINT, so a second signal could not
 * cut the grace period short.
 */
final class Signals
{
    private Signals()
    {
    }

    /**
     * Replace the JVM's handling of a signal with an action; the action runs on the JVM's signal thread, so it
     * must not block for long.
     *
     * @param signalName e.g. "INT" or "TERM".
     * @param action     what to do on each delivery.
     * @return true when the signal was ignored at start (SIG_IGN: e.g. SIGINT for a background job of a
     *         non-interactive shell): the JVM then leaves it ignored and the action never runs.
     * @throws IllegalStateException if the signal cannot be handled on this JVM (e.g. run with -Xrs).
     */
    static boolean handle(final String signalName, final Runnable action)
    {
        try
        {
            final Class<?> signalClass = Class.forName("sun.misc.Signal");
            final Class<?> handlerClass = Class.forName("sun.misc.SignalHandler");
            final Constructor<?> constructor = signalClass.getConstructor(String.class);
            final Object signal = constructor.newInstance(signalName);
            final InvocationHandler invocationHandler = (proxy, method, args) -> invoke(proxy, method, args, action);
            final Object handler = java.lang.reflect.Proxy.newProxyInstance(
                Signals.class.getClassLoader(), new Class<?>[]{ handlerClass }, invocationHandler);
            final Object previous = signalClass.getMethod("handle", signalClass, handlerClass)
                .invoke(null, signal, handler);
            final Object ignored = handlerClass.getField("SIG_IGN").get(null);
            return previous != null && previous.equals(ignored);
        }
        catch (final ReflectiveOperationException | RuntimeException ex)
        {
            throw new IllegalStateException("cannot handle SIG" + signalName + ": " + ex, ex);
        }
    }

    private static Object invoke(final Object proxy, final Method method, final Object[] args, final Runnable action)
    {
        switch (method.getName())
        {
            case "handle":
                action.run();
                return null;
            case "equals":
                return proxy == args[0];
            case "hashCode":
                return System.identityHashCode(proxy);
            default:
                return "signal handler for " + action;
        }
    }
}

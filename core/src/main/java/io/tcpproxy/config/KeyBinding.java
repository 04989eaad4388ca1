package io.tcpproxy.config;

import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * A {@link ConfigKey}'s typed parser, setter and (for top-level keys) getter, kept together so that the value's type
 * is checked where the key is declared.
 *
 * @param <B> the builder the setter writes to.
 * @param <T> the typed value.
 */
final class KeyBinding<B, T>
{
    private final Scope<B> scope;
    private final ValueType<T> type;
    private final BiConsumer<B, T> setter;
    private final Function<Config, T> getter;

    KeyBinding(final Scope<B> scope, final ValueType<T> type, final BiConsumer<B, T> setter,
        final Function<Config, T> getter)
    {
        this.scope = scope;
        this.type = type;
        this.setter = setter;
        this.getter = getter;
    }

    ValueType<T> type()
    {
        return type;
    }

    void set(final Object builder, final Object value)
    {
        setter.accept(scope.cast(builder), type.parse(value));
    }

    Object tomlValue(final Config config)
    {
        if (getter == null)
        {
            return null;
        }
        final T value = getter.apply(config);
        if (value == null)
        {
            return type.kind() == KeyKind.ADDRESS_OR_EMPTY ? "" : null;
        }
        return type.toToml(value);
    }
}

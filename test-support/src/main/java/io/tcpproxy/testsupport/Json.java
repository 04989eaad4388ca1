package io.tcpproxy.testsupport;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The tests' one JSON reader: a small strict recursive-descent parser (RFC 8259). Objects become maps that keep
 * key order, arrays lists, integers {@link Long}, other numbers {@link Double}. Duplicate keys and trailing
 * content are errors.
 */
public final class Json
{
    private static final String SIMPLE_ESCAPES = "\"\\/bfnrt";
    private static final String ESCAPED_CHARS = "\"\\/\b\f\n\r\t";

    private final String text;
    private int pos;

    private Json(final String text)
    {
        this.text = text;
    }

    /**
     * @param text a JSON document.
     * @return its value: a map, list, string, Long, Double, Boolean or null.
     * @throws IllegalArgumentException at the first character that is not valid JSON, with its offset.
     */
    public static Object parse(final String text)
    {
        final Json parser = new Json(text);
        parser.whitespace();
        final Object value = parser.value();
        parser.whitespace();
        if (parser.pos != text.length())
        {
            throw parser.fail("trailing content");
        }
        return value;
    }

    private Object value()
    {
        if (pos >= text.length())
        {
            throw fail("value expected");
        }
        final char c = text.charAt(pos);
        switch (c)
        {
            case '{':
                return object();
            case '[':
                return array();
            case '"':
                return string();
            case 't':
                literal("true");
                return Boolean.TRUE;
            case 'f':
                literal("false");
                return Boolean.FALSE;
            case 'n':
                literal("null");
                return null;
            default:
                return number();
        }
    }

    private Map<String, Object> object()
    {
        final Map<String, Object> map = new LinkedHashMap<>();
        pos++;
        whitespace();
        if (peek() == '}')
        {
            pos++;
            return map;
        }
        while (true)
        {
            whitespace();
            if (peek() != '"')
            {
                throw fail("key expected");
            }
            final String key = string();
            whitespace();
            expect(':');
            whitespace();
            if (map.containsKey(key))
            {
                throw fail("duplicate key " + key);
            }
            map.put(key, value());
            whitespace();
            if (peek() == ',')
            {
                pos++;
            }
            else
            {
                expect('}');
                return map;
            }
        }
    }

    private List<Object> array()
    {
        final List<Object> list = new ArrayList<>();
        pos++;
        whitespace();
        if (peek() == ']')
        {
            pos++;
            return list;
        }
        while (true)
        {
            whitespace();
            list.add(value());
            whitespace();
            if (peek() == ',')
            {
                pos++;
            }
            else
            {
                expect(']');
                return list;
            }
        }
    }

    private String string()
    {
        expect('"');
        final StringBuilder out = new StringBuilder();
        while (true)
        {
            if (pos >= text.length())
            {
                throw fail("unterminated string");
            }
            final char c = text.charAt(pos++);
            if (c == '"')
            {
                return out.toString();
            }
            if (c < 0x20)
            {
                throw fail("raw control character in string");
            }
            if (c != '\\')
            {
                out.append(c);
                continue;
            }
            final char e = text.charAt(pos++);
            final int simple = SIMPLE_ESCAPES.indexOf(e);
            if (simple >= 0)
            {
                out.append(ESCAPED_CHARS.charAt(simple));
            }
            else if (e == 'u')
            {
                out.append((char)Integer.parseInt(text.substring(pos, pos + 4), 16));
                pos += 4;
            }
            else
            {
                throw fail("bad escape \\" + e);
            }
        }
    }

    private Object number()
    {
        final int start = pos;
        if (peek() == '-')
        {
            pos++;
        }
        if (peek() == '0')
        {
            pos++;
        }
        else if (Character.isDigit(peek()))
        {
            while (Character.isDigit(peek()))
            {
                pos++;
            }
        }
        else
        {
            throw fail("number expected");
        }
        boolean integer = true;
        if (peek() == '.')
        {
            integer = false;
            pos++;
            digits();
        }
        if (peek() == 'e' || peek() == 'E')
        {
            integer = false;
            pos++;
            if (peek() == '+' || peek() == '-')
            {
                pos++;
            }
            digits();
        }
        final String number = text.substring(start, pos);
        return integer ? (Object)Long.parseLong(number) : (Object)Double.parseDouble(number);
    }

    private void digits()
    {
        if (!Character.isDigit(peek()))
        {
            throw fail("digit expected");
        }
        while (Character.isDigit(peek()))
        {
            pos++;
        }
    }

    private void literal(final String literal)
    {
        if (!text.startsWith(literal, pos))
        {
            throw fail(literal + " expected");
        }
        pos += literal.length();
    }

    private void expect(final char c)
    {
        if (peek() != c)
        {
            throw fail("'" + c + "' expected");
        }
        pos++;
    }

    private char peek()
    {
        return pos < text.length() ? text.charAt(pos) : '\0';
    }

    private void whitespace()
    {
        while (pos < text.length() && " \t\r\n".indexOf(text.charAt(pos)) >= 0)
        {
            pos++;
        }
    }

    private IllegalArgumentException fail(final String message)
    {
        return new IllegalArgumentException(message + " at offset " + pos);
    }
}

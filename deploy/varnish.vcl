# Varnish in front of the site (Varnish 6 or 7): caches what the site marks public, for the
# s-maxage it gives, and drops pages by tag when the site asks (FRONTEND_CACHE_BACKEND=varnish,
# FRONTEND_CACHE_LOCATIONS=http://127.0.0.1:6081). Each page names its tags in its
# Surrogate-Key header; a BAN request names the tags to drop in its own Surrogate-Key header.
vcl 4.1;

backend default {
    .host = "127.0.0.1";
    .port = "8000";
}

# Who may ask for a purge: the app servers.
acl purgers {
    "127.0.0.1";
    "::1";
}

sub vcl_recv {
    if (req.method == "BAN") {
        if (client.ip !~ purgers) {
            return (synth(405, "Not allowed"));
        }
        if (req.http.Surrogate-Key !~ "^[A-Za-z0-9:_ -]+$") {
            return (synth(400, "Name the tags to drop in Surrogate-Key"));
        }
        # Tags are separated by spaces, here and in the pages' headers: each becomes one
        # alternative of a regular expression matched against whole tags.
        set req.http.X-Ban = "(^|\s)(" + regsuball(req.http.Surrogate-Key, " +", "|") + ")(\s|$)";
        ban("obj.http.Surrogate-Key ~ " + req.http.X-Ban);
        return (synth(200, "Banned"));
    }
    # Signed-in people and the desk go straight to the site.
    if (req.url ~ "^/(admin|accounts)/" || req.http.Cookie ~ "(^|;\s*)(sessionid|messages)=") {
        return (pass);
    }
    # Other cookies (consent banners, analytics) do not change the page.
    unset req.http.Cookie;
}

sub vcl_backend_response {
    # The site sends Vary: Cookie; requests reaching here carry no cookie.
    if (beresp.http.Set-Cookie) {
        set beresp.uncacheable = true;
        return (deliver);
    }
}

sub vcl_deliver {
    # Readers and other caches need not see the tags.
    if (!req.http.X-Show-Surrogate-Key) {
        unset resp.http.Surrogate-Key;
    }
}

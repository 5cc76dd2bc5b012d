package introspect

import (
	"context"
	"encoding/base64"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/jwtguard/jwtguard/verify"
)

// remote makes the HTTP call and decodes the answer. It returns the
// decoded response and its body, or an unavailable error: a transport
// failure, a timeout, a redirect, an unexpected status, an oversized or
// undecodable body. Only a well-formed answer about the token is ever
// cached.
func (c *Checker) remote(ctx context.Context, token string) (*decoded, []byte, *verify.Error) {
	req, err := c.request(ctx, token)
	if err != nil {
		return nil, nil, unavailable("building the request", err)
	}
	resp, err := c.client.Do(req)
	if err != nil {
		var ne net.Error
		if errors.Is(err, context.DeadlineExceeded) || errors.As(err, &ne) && ne.Timeout() {
			// Whichever of the call's deadline and the client's
			// timeout fired first, say the same thing.
			return nil, nil, unavailable("remote check: no answer within "+c.s.Timeout.String()+" (deadline exceeded)", err)
		}
		return nil, nil, unavailable("remote check", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, c.s.MaxBodyBytes+1))
	if err != nil {
		return nil, nil, unavailable("reading the response", err)
	}
	if int64(len(body)) > c.s.MaxBodyBytes {
		return nil, nil, unavailable("response body over "+strconv.FormatInt(c.s.MaxBodyBytes, 10)+" bytes", nil)
	}
	ok := resp.StatusCode >= 200 && resp.StatusCode < 300
	if c.s.Endpoint == Userinfo {
		switch {
		case resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden:
			return &decoded{}, nil, nil // the provider refused the token
		case !ok:
			return nil, nil, unavailable("userinfo endpoint answered "+resp.Status, nil)
		}
		d, err := decodeUserinfo(body)
		if err != nil {
			return nil, nil, unavailable("userinfo endpoint", err)
		}
		return d, body, nil
	}
	if !ok {
		// 401 and 403 here refuse the checker's own credentials, not the
		// token: a configuration fault, not the client's.
		return nil, nil, unavailable("introspection endpoint answered "+resp.Status, nil)
	}
	d, err := decodeIntrospection(body, c.s.WholeScope)
	if err != nil {
		return nil, nil, unavailable("introspection endpoint", err)
	}
	return d, body, nil
}

// request builds the RFC 7662 §2.1 POST or the userinfo GET.
func (c *Checker) request(ctx context.Context, token string) (*http.Request, error) {
	if c.s.Endpoint == Userinfo {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.s.url.String(), nil)
		if err != nil {
			return nil, err
		}
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Accept", "application/json")
		return req, nil
	}
	form := url.Values{"token": {token}, "token_type_hint": {"access_token"}}
	if c.s.ClientAuth == ClientPost {
		form.Set("client_id", c.s.ClientID)
		form.Set("client_secret", c.s.ClientSecret)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.s.url.String(), strings.NewReader(form.Encode()))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	switch c.s.ClientAuth {
	case ClientBasic:
		cred := url.QueryEscape(c.s.ClientID) + ":" + url.QueryEscape(c.s.ClientSecret)
		req.Header.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(cred)))
	case ClientBearer:
		req.Header.Set("Authorization", "Bearer "+c.s.BearerToken)
	}
	return req, nil
}

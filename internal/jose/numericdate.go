package jose

import "time"

// MaxNumericDate is 9999-12-31T23:59:59Z, the largest NumericDate accepted.
const MaxNumericDate = 253402300799

// ParseNumericDate converts the text of a JSON number (as validated by
// [Scanner.Number]) to a time. Fractions are kept to the nanosecond;
// anything finer rounds up, so no comparison is decided by truncation.
// Negative values and values after MaxNumericDate are refused. It reads
// the text digit by digit: no float rounding, no overflow.
func ParseNumericDate(num string) (time.Time, bool) {
	neg := false
	if num != "" && num[0] == '-' {
		neg = true
		num = num[1:]
	}
	i := 0
	for i < len(num) && '0' <= num[i] && num[i] <= '9' {
		i++
	}
	intDigits := num[:i]
	fracDigits := ""
	if i < len(num) && num[i] == '.' {
		j := i + 1
		for j < len(num) && '0' <= num[j] && num[j] <= '9' {
			j++
		}
		fracDigits = num[i+1 : j]
		i = j
	}
	exp10 := 0
	if i < len(num) && (num[i] == 'e' || num[i] == 'E') {
		i++
		expNeg := false
		if i < len(num) && (num[i] == '+' || num[i] == '-') {
			expNeg = num[i] == '-'
			i++
		}
		for ; i < len(num) && '0' <= num[i] && num[i] <= '9'; i++ {
			if exp10 < 1_000_000 { // saturate; far beyond any meaningful value
				exp10 = exp10*10 + int(num[i]-'0')
			}
		}
		if expNeg {
			exp10 = -exp10
		}
	}
	if i != len(num) || intDigits == "" {
		return time.Time{}, false
	}
	// The digits are intDigits+fracDigits with the decimal point after
	// point digits; dig(k) reads the k'th significant digit.
	n := len(intDigits) + len(fracDigits)
	dig := func(k int) int64 {
		if k < 0 || k >= n {
			return 0
		}
		if k < len(intDigits) {
			return int64(intDigits[k] - '0')
		}
		return int64(fracDigits[k-len(intDigits)] - '0')
	}
	lead := 0
	for lead < n && dig(lead) == 0 {
		lead++
	}
	if lead == n { // zero
		return time.Unix(0, 0), true
	}
	if neg {
		return time.Time{}, false
	}
	point := len(intDigits) + exp10 // digits before the point, counted from 0
	if point-lead > 12 {            // at least 10^12 > MaxNumericDate
		return time.Time{}, false
	}
	var sec, nsec int64
	for k := lead; k < point; k++ {
		sec = sec*10 + dig(k)
	}
	if sec > MaxNumericDate {
		return time.Time{}, false
	}
	for k := point; k < point+9; k++ {
		nsec = nsec*10 + dig(k)
	}
	for k := max(point+9, lead); k < n; k++ {
		if dig(k) != 0 {
			nsec++ // round up below a nanosecond
			break
		}
	}
	return time.Unix(sec, nsec), true
}
